/**
 * mote's runtime helpers for Espruino: what TypeScript's ES5 output calls (`__generator`,
 * `__extends`, ...) written for Espruino 2v29 instead of TypeScript's own (tslib's), which fail
 * there: they declare functions after a `return` (Espruino does not hoist), and probe `Symbol`.
 *
 * Every helper is ES5, a `var` bound to a function expression (nothing relies on hoisting),
 * uses no Symbol, Map, Set or WeakMap, and is prepended only when the lowered code names it.
 *
 * `__generator(body)` expects generator bodies as mote's lowering rewrites them (see lower.ts),
 * taking no `this` (the generator function passes it as a local), and the body returns an op code, with its operand in the state's `v`, instead of allocating
 * `[op, operand]`:
 *
 * | return        | meaning                                      |
 * | ------------- | -------------------------------------------- |
 * | `v = x, 2`    | return x                                     |
 * | `8`           | return (nothing)                             |
 * | `~label`      | break to label (a negative number)           |
 * | `v = x, 4`    | yield x                                      |
 * | `v = it, 5`   | yield* it                                    |
 * | `7`           | end of a finally block                       |
 *
 * reads the value it resumes with (or the error its catch block catches) as `state.x`, and
 * enters try blocks with `state.tr([try, catch, finally, end])`. A throw() into a suspended
 * generator is raised at its resume point by `__generator` itself.
 */

export interface Helper {
  /** The name the lowered code calls it by. */
  name: string;
  /** ES5 source: one `var name = ...;` statement. */
  code: string;
}

/**
 * The generator object is a small class: one object and TypeScript's body closure per generator
 * call, nothing allocated per resume except the `{ value, done }` the outermost `next` returns.
 * A `yield*` into another mote generator resumes it directly (no result objects in between).
 * `resume` follows tslib's `step` op for op, with the op in two locals instead of an array. Its
 * hot paths come first and end in `return` or `continue` (resume the body; yield; start, resume
 * or finish a yield* into another generator; finish outside try blocks), and everything else
 * (throw and return into a delegate, other ops, try regions, resuming a finished generator) is
 * in functions of its own, because Espruino interprets from source and pays for every token it
 * reads, including those of branches it skips.
 * State: label (the body's), f (0 new, 1 running, 2 done, 3 suspended), y (yield* delegate),
 * v (operand of the op the body returned), x (the value a resumed body reads: what next() sent,
 * or the error a catch block catches),
 * b (the body: it reads no `this` of its own, see lower.ts), trys (try regions), ops (ops
 * pending across finally blocks).
 */
const generator = `var __generator = (function () {
  var Gen = function (body) {
    this.label = 0;
    this.f = 0;
    this.y = null;
    this.v = void 0;
    this.x = void 0;
    this.b = body;
    this.trys = null;
  };
  var ArrayIter = function (a) {
    this.a = a;
    this.i = 0;
  };
  ArrayIter.prototype.next = function () {
    var i = this.i;
    if (i < this.a.length) {
      this.i = i + 1;
      return { value: this.a[i], done: false };
    }
    return { value: void 0, done: true };
  };
  var iter = function (v) {
    if (v !== null && v !== void 0) {
      if (typeof v.next === "function") return v;
      if (typeof v.length === "number") return new ArrayIter(v);
    }
    throw new TypeError("yield*: not iterable");
  };
  var foreign = function (y, c, v) {
    var m = c === 0 ? y.next : c === 1 ? y["throw"] : y["return"];
    if (m !== void 0 && m !== null) return m.call(y, v);
    if (c === 1) {
      m = y["return"];
      if (m !== void 0 && m !== null) m.call(y);
      throw new TypeError("yield*: the iterator has no throw method");
    }
    return { value: v, done: true };
  };
  var delegate = function (g, c, v) {
    var y = g.y, r;
    if (y instanceof Gen) {
      r = run(y, c, v);
      if (y.f !== 2) {
        g.f = 3;
        return r;
      }
    } else {
      r = foreign(y, c, v);
      if (!r.done) {
        g.f = 3;
        return r.value;
      }
      r = r.value;
    }
    g.y = null;
    return r;
  };
  var edge = function (g, c, v) {
    if (g.f === 1) throw new TypeError("Generator is already running");
    g.f = 2;
    if (c === 1) throw v;
    return c === 2 ? v : void 0;
  };
  var route = function (g, c, v) {
    var trys = g.trys, t, ops;
    for (;;) {
      if (c === 7) {
        ops = g.ops;
        v = ops.pop();
        c = ops.pop();
        trys.pop();
        continue;
      }
      t = trys.length > 0 ? trys[trys.length - 1] : null;
      if (t === null) {
        if (c === 3) {
          g.label = v;
          return 0;
        }
        g.x = v;
        return c;
      }
      if (c === 3 && v > t[0] && v < t[3]) {
        g.label = v;
        return 0;
      }
      if (c === 6 && g.label < t[1]) {
        g.label = t[1];
        g.x = v;
        return 0;
      }
      if (g.label < t[2]) {
        g.label = t[2];
        if (g.ops === void 0) g.ops = [c, v];
        else g.ops.push(c, v);
        return 0;
      }
      if (t[2] !== void 0) g.ops.length -= 2;
      trys.pop();
    }
  };
  var control = function (g, c, v) {
    if (c < 0) {
      v = ~c;
      c = 3;
    } else if (c === 1) {
      c = 6;
    } else if (c === 5) {
      g.label++;
      g.y = v instanceof Gen ? v : iter(v);
      return 5;
    } else if (c === 8) {
      c = 2;
      v = void 0;
    }
    if (g.trys !== null) return route(g, c, v);
    if (c !== 3) {
      g.x = v;
      return c;
    }
    g.label = v;
    return 0;
  };
  var resume = function (g, c, v) {
    var y, r;
    for (;;) {
      try {
        if (c === 0) {
          y = g.y;
          if (y === null) {
            g.x = v;
            c = g.b(g);
            v = g.v;
            if (c === 4) {
              g.label++;
              g.f = 3;
              return v;
            }
            if (c === 5) {
              g.label++;
              g.y = v instanceof Gen ? v : iter(v);
              c = 0;
              v = void 0;
            } else if ((c === 2 || c === 8) && g.trys === null) {
              g.f = 2;
              return c === 2 ? v : void 0;
            }
            continue;
          }
          if (y instanceof Gen) {
            if (y.f === 3 || y.f === 0) {
              y.f = 1;
              r = resume(y, 0, v);
            } else {
              r = edge(y, 0, v);
            }
            if (y.f !== 2) {
              g.f = 3;
              return r;
            }
          } else {
            r = foreign(y, 0, v);
            if (!r.done) {
              g.f = 3;
              return r.value;
            }
            r = r.value;
          }
          g.y = null;
          v = r;
          continue;
        }
        if (g.y !== null) {
          v = delegate(g, c, v);
          if (g.f === 3) return v;
          if (c !== 2) {
            c = 0;
            continue;
          }
        }
        c = control(g, c, v);
        if (c === 0) {
          v = g.x;
          continue;
        }
        if (c === 5) {
          c = 0;
          v = void 0;
          continue;
        }
        v = g.x;
        break;
      } catch (e) {
        c = 6;
        v = e;
        g.y = null;
      }
    }
    g.f = 2;
    if (c === 6) throw v;
    return v;
  };
  var run = function (g, c, v) {
    if (g.f === 3 || (g.f === 0 && c === 0)) {
      g.f = 1;
      return resume(g, c, v);
    }
    return edge(g, c, v);
  };
  Gen.prototype.next = function (x) {
    var c, v;
    if (this.y === null && (this.f === 3 || this.f === 0)) {
      this.f = 1;
      this.x = x;
      try {
        c = this.b(this);
      } catch (e) {
        return { value: resume(this, 6, e), done: this.f === 2 };
      }
      if (c === 4) {
        this.label++;
        this.f = 3;
        return { value: this.v, done: false };
      }
      v = resume(this, c, this.v);
    } else if (this.f === 3 || this.f === 0) {
      this.f = 1;
      v = resume(this, 0, x);
    } else {
      v = edge(this, 0, x);
    }
    return { value: v, done: this.f === 2 };
  };
  Gen.prototype["throw"] = function (e) {
    var v = run(this, 1, e);
    return { value: v, done: this.f === 2 };
  };
  Gen.prototype["return"] = function (x) {
    var v = run(this, 2, x);
    return { value: v, done: this.f === 2 };
  };
  Gen.prototype.tr = function (region) {
    if (this.trys === null) this.trys = [region];
    else this.trys.push(region);
  };
  return function (body) {
    return new Gen(body);
  };
})();`;

/** Classes: statics through the prototype chain, `constructor` not enumerable, as native classes. */
const extendsHelper = `var __extends = function (d, b) {
  if (typeof b !== "function" && b !== null) throw new TypeError("Class extends value " + String(b) + " is not a constructor or null");
  if (b !== null) {
    if (Object.setPrototypeOf) Object.setPrototypeOf(d, b);
    else for (var p in b) if (Object.prototype.hasOwnProperty.call(b, p)) d[p] = b[p];
  }
  var proto = Object.create(b === null ? null : b.prototype);
  Object.defineProperty(proto, "constructor", { value: d, writable: true, configurable: true });
  d.prototype = proto;
};`;

/** Object spread: Espruino has Object.assign. */
const assign = `var __assign = Object.assign || function (t) {
  for (var i = 1; i < arguments.length; i++) {
    var s = arguments[i];
    for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p)) t[p] = s[p];
  }
  return t;
};`;

/** Object rest: own enumerable keys not listed (no symbol keys on Espruino). */
const rest = `var __rest = function (s, e) {
  var t = {};
  for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p) && e.indexOf(p) < 0) t[p] = s[p];
  return t;
};`;

/** Array spread and spread calls: arrays, strings, typed arrays, `arguments` (no iterators). */
const spreadArray = `var __spreadArray = function (to, from, pack) {
  if (from === null || from === void 0 || typeof from.length !== "number") throw new TypeError("spread on Espruino takes an array, string or typed array");
  for (var i = 0, n = from.length; i < n; i++) to.push(from[i]);
  return to;
};`;

/**
 * for-of, as TypeScript lowers it without downlevelIteration, indexes its operand: right for
 * arrays, strings and typed arrays (what Espruino's own for-of takes), and silently zero turns
 * for an iterator. mote's lowering passes the operand through this guard so that is an error.
 */
const forOf = `var __forOf = function (o) {
  if (o !== null && o !== void 0 && typeof o.length === "number") return o;
  throw new TypeError("for-of on Espruino takes an array, string or typed array");
};`;

const makeTemplateObject = `var __makeTemplateObject = function (cooked, raw) {
  Object.defineProperty(cooked, "raw", { value: raw });
  return cooked;
};`;

/** async/await over a lowered generator. Espruino queues promise reactions as events. */
const awaiter = `var __awaiter = function (self, args, P, body) {
  var Pr = P || Promise;
  return new Pr(function (resolve, reject) {
    var g = null;
    var step = null;
    var fulfilled = function (value) {
      try {
        step(g.next(value));
      } catch (e) {
        reject(e);
      }
    };
    var rejected = function (value) {
      try {
        step(g["throw"](value));
      } catch (e) {
        reject(e);
      }
    };
    step = function (r) {
      if (r.done) resolve(r.value);
      else (r.value instanceof Pr ? r.value : Pr.resolve(r.value)).then(fulfilled, rejected);
    };
    try {
      g = body.apply(self, args || []);
    } catch (e) {
      reject(e);
      return;
    }
    fulfilled(void 0);
  });
};`;

/** Every helper, by name. */
export const helpers: ReadonlyMap<string, Helper> = new Map(
  (
    [
      ['__generator', generator],
      ['__extends', extendsHelper],
      ['__assign', assign],
      ['__rest', rest],
      ['__spreadArray', spreadArray],
      ['__forOf', forOf],
      ['__makeTemplateObject', makeTemplateObject],
      ['__awaiter', awaiter],
    ] as const
  ).map(([name, code]) => [name, { name, code }]),
);

/**
 * TypeScript's helpers that mote does not provide, with why: lowering that needs one fails
 * with this reason instead of producing code that fails on the device.
 */
export const unsupportedHelpers: ReadonlyMap<string, string> = new Map([
  ['__values', 'iteration protocol (downlevelIteration) is not used: Espruino has no Symbol.iterator'],
  ['__read', 'iteration protocol (downlevelIteration) is not used: Espruino has no Symbol.iterator'],
  ['__await', 'async generators are not supported'],
  ['__asyncGenerator', 'async generators are not supported'],
  ['__asyncDelegator', 'async generators are not supported'],
  ['__asyncValues', 'for await is not supported (no Symbol.asyncIterator on Espruino)'],
  ['__decorate', 'decorators are not supported'],
  ['__esDecorate', 'decorators are not supported'],
  ['__runInitializers', 'decorators are not supported'],
  ['__classPrivateFieldGet', 'private #fields need WeakMap, which Espruino lacks'],
  ['__classPrivateFieldSet', 'private #fields need WeakMap, which Espruino lacks'],
  ['__classPrivateFieldIn', 'private #fields need WeakMap, which Espruino lacks'],
  ['__addDisposableResource', '`using` declarations are not supported'],
  ['__disposeResources', '`using` declarations are not supported'],
]);

/** The helpers' source, in a fixed order, for the names the lowered code uses. */
export function helperPrelude(used: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (const [name, helper] of helpers) if (used.has(name)) parts.push(helper.code);
  return parts.length === 0 ? '' : `${parts.join('\n')}\n`;
}
