/** `defender` in `mote/sdk`: AWS IoT Device Defender device-side metrics reports. */
export { DefenderReporter, report, type DefenderOptions, type ReportAccepted } from './reporter.js';
export { buildReport, REPORT_VERSION, type Connection, type CustomMetrics, type CustomMetricValue, type DeviceMetrics, type Port } from './report.js';
