/** `buttons` in `mote/sdk`: single, double and long presses from a Digital input. */
export { Button, type ButtonEvent, type ButtonOptions, type Press } from './button.js';
