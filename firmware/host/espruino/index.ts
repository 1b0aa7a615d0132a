/** Host-side tools for running code built for Espruino on the computer, in Espruino 2v29's dialect. */
export {
  ESPRUINO_GLOBALS,
  EspruinoHostError,
  runOnEspruinoHost,
  type EspruinoHostFailure,
  type EspruinoHostOptions,
  type EspruinoHostResult,
} from './run.js';
