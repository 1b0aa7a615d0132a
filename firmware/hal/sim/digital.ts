/** Digital on the VirtualBoard of the current sim device. */
import { DigitalConstants, DigitalModes, type Digital, type DigitalOptions } from '../contract/digital.js';
import { checkDigitalOptions, checkOpen, isOutput } from '../validate.js';
import type { PinDirection, Pull } from './board.js';
import { currentDevice } from './device.js';

const pulls: Pull[] = ['none', 'up', 'down', 'up'];

export class SimDigital extends DigitalConstants implements Digital {
  private readonly board = currentDevice().board;
  private readonly pin: number;
  private readonly output: boolean;
  private watch: number | undefined;
  private closed = false;

  constructor(options: DigitalOptions) {
    super();
    const o = checkDigitalOptions(options);
    this.pin = o.pin;
    this.output = isOutput(o.mode);
    this.board.claim(o.pin, 'Digital');
    const direction: PinDirection = o.mode === DigitalModes.Output ? 'output' : o.mode === DigitalModes.OutputOpenDrain ? 'open-drain' : 'input';
    this.board.configure(o.pin, direction, this.output ? 'none' : pulls[o.mode]!);
    const onReadable = o.onReadable;
    if (o.edge !== undefined && onReadable) this.watch = this.board.watch(o.pin, o.edge, () => onReadable.call(this));
  }

  read(): 0 | 1 {
    checkOpen(this.closed, 'Digital');
    return this.board.read(this.pin);
  }

  write(value: 0 | 1): void {
    checkOpen(this.closed, 'Digital');
    if (!this.output) throw new Error(`Digital: pin ${this.pin} is an input`);
    this.board.write(this.pin, value ? 1 : 0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watch !== undefined) this.board.unwatch(this.watch);
    this.board.release(this.pin);
  }
}
