/** Runs the CBOR byte fixtures on an engine and hands the outcome to the host (`hostResult`). */
import { checkFixtures, edgeFixtures, rfcFixtures } from './fixtures.js';

declare const hostResult: (value: unknown) => void;

hostResult({ rfc: checkFixtures(rfcFixtures), edge: checkFixtures(edgeFixtures) });
