/**
 * Ambient declarations for on-device code (everything under firmware/ except host/).
 *
 * firmware/tsconfig.json type-checks that code with lib ES2022 and no @types, because neither
 * Espruino nor Moddable XS has Node's globals: `process`, `Buffer`, `require` and Node's timers
 * are type errors there, as they would be runtime errors on the device.
 *
 * Engine globals that on-device code may rely on get declared here, next to their contract, as
 * the hardware-layer ports come to need them. None are declared yet.
 */
export {};
