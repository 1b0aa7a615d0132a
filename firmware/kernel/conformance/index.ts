/** Every conformance scenario, in one list (Node tests, the XS run and `mote kernel` use it). */
import type { Scenario } from './harness.js';
import { scenario as example } from './scenarios/example.js';

export const scenarios: Scenario[] = [example];
