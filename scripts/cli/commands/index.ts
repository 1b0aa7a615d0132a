import type { CommandModule } from '../command.js';
import { benchCommand } from './bench.js';
import { boardsCommand } from './boards.js';
import { buildCommand } from './build.js';
import { cloudCommand } from './cloud.js';
import { decodeCommand } from './decode.js';
import { deployCommand } from './deploy.js';
import { devCommand } from './dev.js';
import { flashCommand } from './flash.js';
import { hilCommand } from './hil.js';
import { imageCommand } from './image.js';
import { initCommand } from './init.js';
import { kernelCommand } from './kernel.js';
import { monitorCommand } from './monitor.js';
import { virtualBoardCommand } from './virtual-board.js';

/**
 * Every `mote` subcommand, in the order `mote --help` lists them.
 * To add one: write scripts/cli/commands/<name>.ts exporting a CommandModule and list it here.
 */
export const commands: readonly CommandModule[] = [devCommand, initCommand, buildCommand, decodeCommand, kernelCommand, benchCommand, boardsCommand, imageCommand, cloudCommand, flashCommand, deployCommand, monitorCommand, virtualBoardCommand, hilCommand];
