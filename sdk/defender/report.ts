/**
 * The AWS IoT Device Defender device-side metrics report, with the short key names AWS accepts
 * in both JSON and CBOR:
 *
 *   { "hed": { "rid": 1763812345, "v": "1.0" },
 *     "met": { "tp": { "pts": [{ "pt": 443, "if": "st0" }], "t": 1 },          listening_tcp_ports
 *              "up": { "pts": [{ "pt": 5353 }], "t": 1 },                        listening_udp_ports
 *              "ns": { "bi": 1200, "bo": 800, "pi": 12, "po": 9 },              network_stats
 *              "tc": { "ec": { "cs": [{ "rad": "10.0.0.2:8883", "lp": 50123, "li": "st0" }], "t": 1 } } },
 *     "cmet": { "heap_free": [{ "number": 81234 }], "tasks": [{ "string_list": ["mqtt", "ui"] }] } }
 *
 * `hed.rid` increases with every report (AWS drops a report whose id it has seen); `t` is the
 * list's length. Sections the device does not supply are left out; a report has metrics, custom
 * metrics or both. Custom metric values are AWS's value objects as they are: `number`,
 * `number_list`, `string_list` or `ip_list`.
 */
import { rangeError } from '../../firmware/kernel/errors.js';

export interface Port {
  port: number;
  interface?: string;
}

export interface Connection {
  /** "ip:port" of the peer. */
  remoteAddr: string;
  localPort?: number;
  localInterface?: string;
}

/** What the device measured, each part optional. */
export interface DeviceMetrics {
  listeningTcpPorts?: Port[];
  listeningUdpPorts?: Port[];
  networkStats?: { bytesIn: number; bytesOut: number; packetsIn: number; packetsOut: number };
  tcpConnections?: Connection[];
}

export type CustomMetricValue = { number: number } | { number_list: number[] } | { string_list: string[] } | { ip_list: string[] };

export interface CustomMetrics {
  [name: string]: CustomMetricValue;
}

type Doc = { [key: string]: unknown };

export const REPORT_VERSION = '1.0';

/** The report document for `reportId`; throws RangeError naming the first value AWS would refuse. */
export function buildReport(reportId: number, metrics: DeviceMetrics | undefined, custom: CustomMetrics | undefined): Doc {
  if (!(reportId >= 0) || Math.floor(reportId) !== reportId) throw rangeError(`defender: report id must be a non-negative integer, not ${String(reportId)}`);
  const report: Doc = { hed: { rid: reportId, v: REPORT_VERSION } };
  const met = metrics ? deviceSection(metrics) : undefined;
  const cmet = custom ? customSection(custom) : undefined;
  if (!met && !cmet) throw rangeError('defender: a report needs metrics, custom metrics or both');
  if (met) report.met = met;
  if (cmet) report.cmet = cmet;
  return report;
}

function deviceSection(m: DeviceMetrics): Doc | undefined {
  const met: Doc = {};
  if (m.listeningTcpPorts) met.tp = ports('listeningTcpPorts', m.listeningTcpPorts);
  if (m.listeningUdpPorts) met.up = ports('listeningUdpPorts', m.listeningUdpPorts);
  if (m.networkStats) {
    const s = m.networkStats;
    met.ns = { bi: count('networkStats.bytesIn', s.bytesIn), bo: count('networkStats.bytesOut', s.bytesOut), pi: count('networkStats.packetsIn', s.packetsIn), po: count('networkStats.packetsOut', s.packetsOut) };
  }
  if (m.tcpConnections) {
    const cs: Doc[] = [];
    for (let i = 0; i < m.tcpConnections.length; i++) {
      const c = m.tcpConnections[i]!;
      const where = `tcpConnections[${i}]`;
      if (typeof c.remoteAddr !== 'string' || !/^[^\s]+:\d{1,5}$/.test(c.remoteAddr)) throw rangeError(`defender: ${where}.remoteAddr must be "ip:port", not ${JSON.stringify(c.remoteAddr)}`);
      const entry: Doc = { rad: c.remoteAddr };
      if (c.localPort !== undefined) entry.lp = port(`${where}.localPort`, c.localPort);
      if (c.localInterface !== undefined) entry.li = text(`${where}.localInterface`, c.localInterface);
      cs.push(entry);
    }
    met.tc = { ec: { cs, t: cs.length } };
  }
  return Object.keys(met).length > 0 ? met : undefined;
}

function ports(what: string, list: Port[]): Doc {
  const pts: Doc[] = [];
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    const entry: Doc = { pt: port(`${what}[${i}].port`, p.port) };
    if (p.interface !== undefined) entry.if = text(`${what}[${i}].interface`, p.interface);
    pts.push(entry);
  }
  return { pts, t: pts.length };
}

function customSection(custom: CustomMetrics): Doc | undefined {
  const names = Object.keys(custom);
  if (names.length === 0) return undefined;
  const cmet: Doc = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(name)) throw rangeError(`defender: custom metric name must be 1-128 letters, digits, ':', '_' or '-': ${JSON.stringify(name)}`);
    cmet[name] = [customValue(name, custom[name]!)];
  }
  return cmet;
}

function customValue(name: string, value: CustomMetricValue): Doc {
  const keys = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  const kind = keys.length === 1 ? keys[0]! : '';
  const v = (value as Doc)[kind];
  const list = (ok: (x: unknown) => boolean) => Array.isArray(v) && v.every(ok);
  if (kind === 'number' && typeof v === 'number' && isFinite(v)) return { number: v };
  if (kind === 'number_list' && list((x) => typeof x === 'number' && isFinite(x))) return { number_list: v };
  if ((kind === 'string_list' || kind === 'ip_list') && list((x) => typeof x === 'string')) return kind === 'ip_list' ? { ip_list: v } : { string_list: v };
  throw rangeError(`defender: custom metric "${name}" must be one of { number }, { number_list }, { string_list }, { ip_list } with values of that type`);
}

function port(what: string, n: number): number {
  if (typeof n !== 'number' || !(n >= 0 && n <= 65535) || Math.floor(n) !== n) throw rangeError(`defender: ${what} must be a port number (0-65535), not ${String(n)}`);
  return n;
}

function count(what: string, n: number): number {
  if (typeof n !== 'number' || !(n >= 0) || Math.floor(n) !== n || n > 9007199254740992) throw rangeError(`defender: ${what} must be a non-negative integer, not ${String(n)}`);
  return n;
}

function text(what: string, s: string): string {
  if (typeof s !== 'string' || s === '') throw rangeError(`defender: ${what} must be a non-empty string`);
  return s;
}
