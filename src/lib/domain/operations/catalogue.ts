import { BRANCH_MOVE } from './branch-move';
import { COMING_OF_AGE, STAY_EXTENSION } from './coming-of-age';
import { DISCIPLINE } from './discipline';
import { DUES_PAYMENT } from './dues';
import { createCatalogue, type OperationEntry } from './entry';
import { RATING } from './rating';
import { DEATH, REMOVAL } from './removal';
import { REWARD } from './rewards';
import { TRAINING_REGISTRATION, TRAINING_SCORE } from './training';
import { TRANSFER_REQUEST } from './transfer-request';

// The member operations the app offers, in the order a member's profile lists them. Each entry
// lives beside its planner; adding an operation is its entry and planner, one line here, and its
// test (docs/operations.md). Admission (its own screen: a new person, not a member yet), reversal
// and the transfer's later phases (run by the server's worker) are not offered from a profile.

export const MEMBER_OPERATIONS: readonly OperationEntry[] = [
	BRANCH_MOVE,
	TRANSFER_REQUEST,
	RATING,
	DUES_PAYMENT,
	REWARD,
	TRAINING_REGISTRATION,
	TRAINING_SCORE,
	COMING_OF_AGE,
	STAY_EXTENSION,
	DISCIPLINE,
	REMOVAL,
	DEATH
] as OperationEntry[];

export const OPERATIONS = createCatalogue(MEMBER_OPERATIONS);
