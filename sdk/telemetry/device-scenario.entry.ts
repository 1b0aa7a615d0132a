/** Engine entry (tests only): runs the data-services device scenario and reports it to the host. */
import { runDeviceScenario } from './device-scenario.js';

declare const hostResult: (value: unknown) => void;

runDeviceScenario(hostResult);
