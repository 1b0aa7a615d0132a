/** Every conformance scenario, in one list (Node tests, the XS run and `mote kernel` use it). */
import type { Scenario } from './harness.js';
import { scenario as example } from './scenarios/example.js';
import { scenario as blocktim } from './scenarios/blocktim.js';
import { scenario as abortDelay } from './scenarios/abort-delay.js';
import { scenario as dynamic } from './scenarios/dynamic.js';
import { scenario as death } from './scenarios/death.js';
import { scenario as timeSlice } from './scenarios/time-slice.js';
import { scenario as genQ } from './scenarios/gen-q.js';
import { scenario as recmutex } from './scenarios/recmutex.js';
import { scenario as qpeek } from './scenarios/qpeek.js';
import { scenario as blockQ } from './scenarios/block-q.js';
import { scenario as countsem } from './scenarios/countsem.js';
import { scenario as queueOverwrite } from './scenarios/queue-overwrite.js';
import { scenario as intSem } from './scenarios/int-sem.js';
import { scenario as eventGroups } from './scenarios/event-groups.js';
import { scenario as timerDemo } from './scenarios/timer-demo.js';
import { scenario as taskNotify } from './scenarios/task-notify.js';
import { scenario as streamBuffer } from './scenarios/stream-buffer.js';
import { scenario as messageBuffer } from './scenarios/message-buffer.js';

export const scenarios: Scenario[] = [example, blocktim, abortDelay, dynamic, death, timeSlice, genQ, recmutex, qpeek, blockQ, countsem, queueOverwrite, intSem, eventGroups, timerDemo, taskNotify, streamBuffer, messageBuffer];
