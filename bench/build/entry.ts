/** Runs the build bench's workloads on the engine it is built for (bench/build/run.ts). */
import { measure } from './workloads.js';

declare const hostResult: (value: unknown) => void;
declare const performance: { now(): number };
declare const STEPS: number;
declare const ROUNDS: number;

hostResult(measure(() => performance.now(), STEPS, ROUNDS));
