/**
 * The guest side of the Espruino-dialect host: JavaScript evaluated in the fresh vm context before
 * the script, which builds Espruino 2v29's globals out of V8's and then removes everything Espruino
 * does not have. It talks to the host only through `__moteHost` (a HostBridge, see run.ts), whose
 * functions take and return primitives; it removes that global before the script runs.
 *
 * What it defines (each as Espruino 2v29 has it, per dialect-2v29.json and Espruino's source):
 * - console.log; setTimeout/setInterval (extra arguments passed on, a string is evaluated),
 *   clearTimeout/clearInterval (with no argument: clear every timer);
 * - Promise: then, catch, Promise.resolve/reject/all, and no race, any, allSettled or finally.
 *   Settling a promise, and each reaction, is queued as an ordinary event, as Espruino does
 *   (src/jswrap_promise.c queues them with jsiQueueEvents), not as a microtask;
 * - Date over the host's simulated clock (`new Date()`, Date.now()), getTime() in seconds, and
 *   setTime(seconds), which moves both (timers stay relative);
 * - TypeError as a constructor of its own, so that errors V8 raises itself (null.x, calling a
 *   non-function) are not `instanceof TypeError`, as on Espruino (row 'Error stack'); InternalError;
 * - btoa/atob, E.toString, E.toUint8Array, E.toArrayBuffer, process.memory()/version/env,
 *   global, and require('Storage') / require('crypto') (SHA1..SHA512), library objects being
 *   functions as on Espruino (row 'Storage module': typeof require('Storage') is 'function');
 * - with a virtual board (host.board): pinMode, digitalWrite, digitalRead, setWatch/clearWatch
 *   (watch events queued like any event), I2C1.writeTo/readFrom, Serial2 and Serial3 (ESP32's
 *   UART 1 and 2: setup, 'data' events, write, unsetup) and require('Wifi') (connect, disconnect,
 *   getIP, 'connected'/'disconnected' events), over the board's pins, I2C targets, UARTs and
 *   access points (firmware/hal/sim/board.ts); with host.wakeupCause, ESP32.getWakeupCause()
 *   and ESP32.reboot().
 *
 * Written as ES5-style source in a string: it is compiled in the guest realm, so everything it
 * creates (arrays, promises, typed arrays) belongs to the guest.
 */
export const PRELUDE = String.raw`(function (host) {
  'use strict';
  var G = globalThis;
  var NativeDate = Date, NativeError = Error;
  var construct = Reflect.construct, apply = Reflect.apply;
  var setPrototypeOf = Object.setPrototypeOf, create = Object.create, defineProperty = Object.defineProperty;
  var slice = Array.prototype.slice, indirectEval = eval, fromCharCode = String.fromCharCode;
  var PromiseState = WeakMap;

  function define(target, name, value) {
    defineProperty(target, name, { value: value, writable: true, configurable: true, enumerable: false });
  }
  function named(name, fn) {
    defineProperty(fn, 'name', { value: name, configurable: true });
    return fn;
  }

  // ---- errors
  function errorType(name) {
    var Type = named(name, function (message) {
      var error = arguments.length ? new NativeError(message) : new NativeError();
      setPrototypeOf(error, new.target ? new.target.prototype : Type.prototype);
      return error;
    });
    Type.prototype = create(NativeError.prototype, {
      constructor: { value: Type, writable: true, configurable: true },
      name: { value: name, writable: true, configurable: true }
    });
    setPrototypeOf(Type, NativeError);
    return Type;
  }
  var EspruinoTypeError = errorType('TypeError');
  define(G, 'TypeError', EspruinoTypeError);
  define(G, 'InternalError', errorType('InternalError'));

  // ---- console and timers
  define(G, 'console', { log: named('log', function () { host.log(slice.call(arguments)); }) });
  function timer(name, repeat) {
    return named(name, function (callback, ms) {
      var fn = callback;
      if (typeof callback === 'string') fn = function () { indirectEval(callback); };
      else if (typeof callback !== 'function') throw new NativeError('Function or String not supplied!');
      return host.setTimer(fn, Number(ms) || 0, repeat, slice.call(arguments, 2));
    });
  }
  define(G, 'setTimeout', timer('setTimeout', false));
  define(G, 'setInterval', timer('setInterval', true));
  function clear(name) {
    return named(name, function (id) { host.clearTimer(id, arguments.length === 0); });
  }
  define(G, 'clearTimeout', clear('clearTimeout'));
  define(G, 'clearInterval', clear('clearInterval'));

  // ---- time: the wall clock is the host's clock plus what setTime moved it by
  var clockOffset = 0;
  function wallNow() { return host.now() + clockOffset; }
  var EspruinoDate = named('Date', function () {
    if (!new.target) return new NativeDate(wallNow()).toString();
    return construct(NativeDate, arguments.length ? arguments : [wallNow()], new.target);
  });
  EspruinoDate.prototype = NativeDate.prototype;
  define(NativeDate.prototype, 'constructor', EspruinoDate);
  define(EspruinoDate, 'now', named('now', function () { return wallNow(); }));
  define(EspruinoDate, 'parse', NativeDate.parse);
  define(EspruinoDate, 'UTC', NativeDate.UTC);
  define(G, 'Date', EspruinoDate);
  define(G, 'getTime', named('getTime', function () { return wallNow() / 1000; }));
  define(G, 'setTime', named('setTime', function (seconds) { clockOffset = Number(seconds) * 1000 - host.now(); }));

  // ---- Promise: settling and reactions are events in the host's queue
  var states = new PromiseState();
  function queue(fn) { host.queue(fn); }
  function isThenable(x) { return x !== null && (typeof x === 'object' || typeof x === 'function'); }
  function resolvers(promise) {
    var done = false;
    return [
      function (value) { if (done) return; done = true; queue(function () { resolveWith(promise, value); }); },
      function (reason) { if (done) return; done = true; queue(function () { settle(promise, 2, reason); }); }
    ];
  }
  function resolveWith(promise, x) {
    if (x === promise) { settle(promise, 2, new EspruinoTypeError('Chaining cycle detected for promise')); return; }
    if (isThenable(x)) {
      var then;
      try { then = x.then; } catch (e) { settle(promise, 2, e); return; }
      if (typeof then === 'function') {
        var r = resolvers(promise);
        try { apply(then, x, [r[0], r[1]]); } catch (e) { r[1](e); }
        return;
      }
    }
    settle(promise, 1, x);
  }
  function settle(promise, state, value) {
    var s = states.get(promise);
    if (s.state !== 0) return;
    s.state = state;
    s.value = value;
    var reactions = s.reactions;
    s.reactions = null;
    if (state === 2 && reactions.length === 0) host.unhandled(value);
    for (var i = 0; i < reactions.length; i++) react(reactions[i], state, value);
  }
  function react(reaction, state, value) {
    var handler = state === 1 ? reaction.fulfilled : reaction.rejected;
    if (typeof handler !== 'function') { reaction.resolvers[state === 1 ? 0 : 1](value); return; }
    var result;
    try { result = handler(value); } catch (e) { reaction.resolvers[1](e); return; }
    reaction.resolvers[0](result);
  }
  function noop() {}
  var EspruinoPromise = named('Promise', function (executor) {
    if (!new.target) throw new EspruinoTypeError("Promise constructor cannot be invoked without 'new'");
    if (typeof executor !== 'function') throw new EspruinoTypeError('Promise resolver is not a function');
    states.set(this, { state: 0, value: undefined, reactions: [] });
    var r = resolvers(this);
    try { executor(r[0], r[1]); } catch (e) { r[1](e); }
  });
  define(EspruinoPromise.prototype, 'then', named('then', function (onFulfilled, onRejected) {
    var s = states.get(this);
    if (!s) throw new EspruinoTypeError('Promise.prototype.then called on a non-Promise');
    var child = new EspruinoPromise(noop);
    var reaction = { fulfilled: onFulfilled, rejected: onRejected, resolvers: resolvers(child) };
    if (s.state === 0) s.reactions.push(reaction);
    else {
      var state = s.state, value = s.value;
      queue(function () { react(reaction, state, value); });
    }
    return child;
  }));
  define(EspruinoPromise.prototype, 'catch', named('catch', function (onRejected) { return this.then(undefined, onRejected); }));
  define(EspruinoPromise, 'resolve', named('resolve', function (value) {
    if (value instanceof EspruinoPromise) return value;
    return new EspruinoPromise(function (resolve) { resolve(value); });
  }));
  define(EspruinoPromise, 'reject', named('reject', function (reason) {
    return new EspruinoPromise(function (resolve, reject) { reject(reason); });
  }));
  define(EspruinoPromise, 'all', named('all', function (items) {
    return new EspruinoPromise(function (resolve, reject) {
      var list = slice.call(items), results = new Array(list.length), remaining = list.length;
      if (remaining === 0) { resolve(results); return; }
      list.forEach(function (item, i) {
        var done = function (value) { results[i] = value; if (--remaining === 0) resolve(results); };
        if (isThenable(item) && typeof item.then === 'function') item.then(done, reject);
        else done(item);
      });
    });
  }));
  define(G, 'Promise', EspruinoPromise);

  // ---- bytes: E, btoa/atob
  function bytesOf(args) {
    var out = [];
    function add(v) {
      if (typeof v === 'number') out.push(v & 255);
      else if (typeof v === 'boolean') out.push(v ? 1 : 0);
      else if (typeof v === 'string') { for (var i = 0; i < v.length; i++) out.push(v.charCodeAt(i) & 255); }
      else if (v instanceof ArrayBuffer) add(new Uint8Array(v));
      else if (v instanceof DataView) add(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      else if (v !== null && typeof v === 'object' && typeof v.length !== 'number' && 'data' in v) {
        var count = v.count === undefined ? 1 : v.count;
        for (var c = 0; c < count; c++) add(v.data);
      } else if (v !== null && typeof v === 'object' && typeof v.length === 'number') {
        for (var j = 0; j < v.length; j++) add(v[j]);
      }
    }
    for (var a = 0; a < args.length; a++) add(args[a]);
    return out;
  }
  function bytesToString(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i += 4096) text += apply(fromCharCode, null, bytes.slice(i, i + 4096));
    return text;
  }
  var E = named('E', function () {});
  define(E, 'toString', named('toString', function () { return bytesToString(bytesOf(arguments)); }));
  define(E, 'toUint8Array', named('toUint8Array', function () { return new Uint8Array(bytesOf(arguments)); }));
  define(E, 'toArrayBuffer', named('toArrayBuffer', function (data) { return new Uint8Array(bytesOf([data])).buffer; }));
  define(G, 'E', E);
  define(G, 'btoa', named('btoa', function (data) {
    if (typeof data === 'string') return host.btoa(data);
    if (data !== null && typeof data === 'object') return host.btoa(bytesToString(bytesOf([data])));
    throw new NativeError('Expecting a string or array, got ' + typeof data);
  }));
  define(G, 'atob', named('atob', function (data) {
    if (typeof data !== 'string') throw new NativeError('Expecting a string, got ' + typeof data);
    return host.atob(data);
  }));

  // ---- process, global
  define(G, 'process', {
    version: '2v29',
    env: { VERSION: '2v29' },
    memory: named('memory', function () { return JSON.parse(host.memory()); })
  });
  define(G, 'global', G);

  // ---- modules
  function library(name) { return named(name, function () {}); }
  var Storage = library('Storage');
  var read = named('read', function (name, offset, length) {
    var data = host.storageRead(String(name));
    if (data === undefined) return undefined;
    var start = offset > 0 ? offset : 0;
    return length > 0 ? data.substr(start, length) : data.substr(start);
  });
  define(Storage, 'read', read);
  define(Storage, 'readJSON', named('readJSON', function (name, noExceptions) {
    var data = read(name);
    if (data === undefined) return undefined;
    try { return JSON.parse(data); } catch (e) { if (noExceptions) return undefined; throw e; }
  }));
  define(Storage, 'readArrayBuffer', named('readArrayBuffer', function (name) {
    var data = read(name);
    return data === undefined ? undefined : new Uint8Array(bytesOf([data])).buffer;
  }));
  var write = named('write', function (name, data, offset, size) {
    var text;
    if (typeof data === 'string') text = data;
    else if (data !== null && typeof data === 'object' && !Array.isArray(data) && !ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) {
      text = JSON.stringify(data);
      offset = undefined;
      size = undefined;
    } else if (data !== null && typeof data === 'object') text = bytesToString(bytesOf([data]));
    else text = String(data);
    var error = host.storageWrite(String(name), text, offset === undefined ? undefined : Number(offset), size === undefined ? undefined : Number(size));
    if (error) throw new NativeError(error);
    return true;
  });
  define(Storage, 'write', write);
  define(Storage, 'writeJSON', named('writeJSON', function (name, data) { return write(name, JSON.stringify(data)); }));
  define(Storage, 'erase', named('erase', function (name) { host.storageErase(String(name)); }));
  define(Storage, 'eraseAll', named('eraseAll', function () { host.storageEraseAll(); }));
  define(Storage, 'list', named('list', function (regex, filter) {
    var names = JSON.parse(host.storageList());
    if (filter !== null && typeof filter === 'object' && filter.sf === true) return [];
    if (regex === undefined) return names;
    return names.filter(function (name) { return name.match(regex) !== null; });
  }));
  define(Storage, 'getStats', named('getStats', function () { return JSON.parse(host.storageStats()); }));
  define(Storage, 'getFree', named('getFree', function () { return JSON.parse(host.storageStats()).freeBytes; }));
  define(Storage, 'compact', named('compact', function () {}));

  var crypto = library('crypto');
  ['SHA1', 'SHA224', 'SHA256', 'SHA384', 'SHA512'].forEach(function (algorithm) {
    define(crypto, algorithm, named(algorithm, function (message) {
      var data = typeof message === 'string' ? message : bytesToString(bytesOf([message]));
      return new Uint8Array(bytesOf([host.hash(algorithm, data)])).buffer;
    }));
  });

  var modules = { Storage: Storage, crypto: crypto };

  // ---- net, on a live device only: sockets bridged to the host's TCP. Data are binary strings.
  if (host.netConnect) {
    var sockets = {};
    var Socket = named('Socket', function (id) { this.id = id; this.handlers = {}; });
    define(Socket.prototype, 'on', function (event, fn) {
      (this.handlers[event] = this.handlers[event] || []).push(fn);
      return this;
    });
    define(Socket.prototype, 'write', function (data) {
      host.netWrite(this.id, typeof data === 'string' ? data : bytesToString(bytesOf([data])));
    });
    define(Socket.prototype, 'end', function () { host.netEnd(this.id); });
    host.netEvents(function (id, event, data) {
      var socket = sockets[id];
      if (!socket) return;
      if (event === 'close') delete sockets[id];
      if (event === 'connect') { if (socket.onConnect) socket.onConnect(); return; }
      var list = socket.handlers[event] || [];
      for (var i = 0; i < list.length; i++) list[i].call(socket, event === 'error' ? { code: data, message: data } : data);
    });
    var net = library('net');
    define(net, 'connect', named('connect', function (options, callback) {
      var socket = new Socket(host.netConnect(String(options.host), Number(options.port)));
      socket.onConnect = callback;
      sockets[socket.id] = socket;
      return socket;
    }));
    modules.net = net;
  }
  define(G, 'require', named('require', function (name) {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    throw new NativeError('Module ' + name + ' not found');
  }));

  // ---- hardware, with a virtual board only: pins are GPIO numbers, I2C1 one hardware bus
  if (host.board) {
    var pinOf = function (pin) {
      var n = Number(pin);
      if (!(n >= 0 && n <= 63 && n === Math.floor(n))) throw new NativeError('Invalid pin: ' + pin);
      return n;
    };
    define(G, 'pinMode', named('pinMode', function (pin, mode) {
      var error = host.pinMode(pinOf(pin), String(mode));
      if (error) throw new NativeError(error);
    }));
    define(G, 'digitalWrite', named('digitalWrite', function (pin, value) { host.digitalWrite(pinOf(pin), value ? 1 : 0); }));
    define(G, 'digitalRead', named('digitalRead', function (pin) { return host.digitalRead(pinOf(pin)); }));
    define(G, 'setWatch', named('setWatch', function (fn, pin, options) {
      if (typeof fn !== 'function') throw new NativeError('Function or String not supplied!');
      var o = options || {};
      var edges = o.edge === 'rising' || o.edge === 1 ? 1 : o.edge === 'falling' || o.edge === -1 ? 2 : 3;
      var last = host.now() / 1000;
      return host.watch(pinOf(pin), edges, o.repeat === true, function (state, time) {
        var event = { state: state === 1, time: time, lastTime: last };
        last = time;
        fn(event);
      });
    }));
    define(G, 'clearWatch', named('clearWatch', function (id) { host.unwatch(id, arguments.length === 0); }));
    var addressOf = function (target) { return typeof target === 'object' && target !== null ? Number(target.address) : Number(target); };
    var I2C1 = {};
    define(I2C1, 'setup', named('setup', function (options) { return undefined; }));
    define(I2C1, 'writeTo', named('writeTo', function (target) {
      var error = host.i2cWrite(addressOf(target), bytesToString(bytesOf(slice.call(arguments, 1))));
      if (error) throw new NativeError(error);
    }));
    define(I2C1, 'readFrom', named('readFrom', function (target, count) {
      var answer = host.i2cRead(addressOf(target), Number(count));
      if (answer.charAt(0) === 'E') throw new NativeError(answer.slice(1));
      return new Uint8Array(bytesOf([answer.slice(1)]));
    }));
    define(G, 'I2C1', I2C1);

    // Objects with Espruino's on/removeAllListeners: listeners per event name.
    var emitter = function (target) {
      var listeners = {};
      define(target, 'on', named('on', function (event, fn) { (listeners[event] = listeners[event] || []).push(fn); }));
      define(target, 'removeAllListeners', named('removeAllListeners', function (event) {
        if (event === undefined) listeners = {}; else delete listeners[event];
      }));
      return function (event, value) {
        var list = (listeners[event] || []).slice();
        for (var i = 0; i < list.length; i++) list[i].call(target, value);
      };
    };
    var uart = function (name, port) {
      var serial = {};
      var emit = emitter(serial);
      define(serial, 'setup', named('setup', function (baud, options) {
        host.uartOpen(port, function (data) { emit('data', data); });
      }));
      define(serial, 'unsetup', named('unsetup', function () { host.uartClose(port); }));
      define(serial, 'write', named('write', function () {
        host.uartWrite(port, bytesToString(bytesOf(slice.call(arguments))));
      }));
      define(serial, 'print', named('print', function (text) { host.uartWrite(port, String(text)); }));
      define(G, name, serial);
    };
    uart('Serial2', 1);
    uart('Serial3', 2);

    var Wifi = library('Wifi');
    var emitWifi = emitter(Wifi);
    var address = '0.0.0.0';
    var onWifi = function (event, detail, msg) {
      if (event === 'connected') {
        address = detail;
        emitWifi('connected', { ip: detail, netmask: '255.255.255.0', gw: detail.replace(/\.\d+$/, '.1') });
      } else {
        address = '0.0.0.0';
        emitWifi('disconnected', { ssid: '', mac: '00:00:00:00:00:00', reason: detail, msg: msg });
      }
    };
    define(Wifi, 'connect', named('connect', function (ssid, options, callback) {
      if (typeof ssid !== 'string') throw new NativeError('No SSID provided');
      var password = options && options.password !== undefined ? String(options.password) : undefined;
      host.wifiConnect(ssid, password, function (event, detail, msg) {
        onWifi(event, detail, msg);
        // ESP32's connect callback fires only once an address is got.
        if (event === 'connected' && typeof callback === 'function') callback(null);
      });
    }));
    define(Wifi, 'disconnect', named('disconnect', function (callback) {
      host.wifiDisconnect(onWifi);
      if (typeof callback === 'function') queue(callback);
    }));
    define(Wifi, 'getIP', named('getIP', function (callback) {
      var info = { ip: address, netmask: '255.255.255.0', gw: '0.0.0.0', mac: '24:0a:c4:00:00:01' };
      if (typeof callback === 'function') queue(function () { callback(null, info); });
      return info;
    }));
    modules.Wifi = Wifi;

    if (host.wakeupCause) {
      var ESP32 = {};
      define(ESP32, 'getWakeupCause', named('getWakeupCause', function () { return host.wakeupCause(); }));
      define(ESP32, 'reboot', named('reboot', function () { host.reboot(); }));
      define(G, 'ESP32', ESP32);
    }
  }

  // ---- reset() and load(), on a live device only: the host acts when the current job ends
  if (host.requestReset) {
    define(G, 'reset', named('reset', function () { host.requestReset(); }));
    define(G, 'load', named('load', function () { host.requestLoad(); }));
  }

  // ---- the event loop's entry: runs the jobs the host hands out until there are none
  define(G, '__moteRun', function () {
    for (var job = host.next(); job !== null && !(host.rebooted && host.rebooted()); job = host.next()) {
      try { apply(job.fn, job.self, job.args); } catch (e) { host.uncaught(e); }
    }
  });

  // ---- remove what Espruino 2v29 does not have
  var keep = JSON.parse(host.keep);
  Object.getOwnPropertyNames(G).forEach(function (name) {
    if (keep.indexOf(name) < 0) { try { delete G[name]; } catch (e) { G[name] = undefined; } }
  });
  var removeMethods = JSON.parse(host.removeMethods);
  for (var k = 0; k < removeMethods.length; k++) {
    var dot = removeMethods[k].indexOf('.');
    delete G[removeMethods[k].slice(0, dot)][removeMethods[k].slice(dot + 1)];
  }
})(__moteHost);
`;
