/** Runs the kernel switch bench on the engine it is bundled for and reports to the host. */
import { measure } from './workloads.js';

declare const hostResult: (value: unknown) => void;
declare const performance: { now(): number };
declare const SWITCHES: number;
declare const ROUNDS: number;

hostResult(measure(() => performance.now(), SWITCHES, ROUNDS));
