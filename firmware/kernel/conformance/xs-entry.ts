/**
 * Entry for running the conformance suite on an engine: runs every scenario in both modes and
 * hands the traces to the host through `hostResult` (provided by the XS runner).
 */
import { runAll } from './harness.js';
import { scenarios } from './index.js';

declare const hostResult: (value: unknown) => void;

hostResult(runAll(scenarios));
