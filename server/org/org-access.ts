import type { OrgActor } from '../../src/lib/domain/org/access';
import type { AccountDoc, AccountRole } from '../accounts/account-service';
import { AppError } from '../http/app-error';

// Who may do what in the organisation API (docs/architecture.md, "Organisation API"). The rules
// themselves (who manages what) are the domain's (src/lib/domain/org/access.ts), shared with the
// unit screen; here are the signed-in actor they apply to and the refusals the API answers with.
// CouchDB's `_security` enforces the same tree on the data itself; these rules guard the server's
// own acts (founding units, issuing accounts…), which CouchDB cannot see.

export {
	inSubtree,
	managesAccountsOf,
	managesUnit,
	mayFoundUnder
} from '../../src/lib/domain/org/access';

export interface Actor extends OrgActor {
	login: string;
	role: AccountRole;
	/** The signed-in account (reads "as the user" need its service secret). */
	account: AccountDoc;
}

export function actorOf(account: AccountDoc): Actor {
	return { login: account.login, role: account.role, unitId: account.unitId, account };
}

export function forbidden(reason: string): AppError {
	return new AppError({ status: 403, error: 'forbidden', reason });
}

export const NOT_IN_SUBTREE = 'Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc.';
export const NOT_MANAGER =
	'Chỉ bí thư hoặc quản trị viên của đơn vị cấp trên trực tiếp được làm việc này.';
