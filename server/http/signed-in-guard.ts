import type { Request, Response } from 'express';
import type { AccountDoc } from '../accounts/account-service';
import type { DeviceDoc } from '../accounts/device-service';
import type { SessionController } from '../accounts/session-controller';
import { sendError } from './app-error';

// The one door of the /api routes that act for a signed-in device (organisation, import, push,
// registry, export audit, attachments): the device cookie must be live and its account must have
// replaced its temporary password. Each router used to spell these checks out itself.

export interface SignedIn {
	account: AccountDoc;
	device: DeviceDoc;
}

/** Answers the request (401 or 403) and returns undefined, or returns who is signed in. */
export type SignedInGuard = (req: Request, res: Response) => Promise<SignedIn | undefined>;

export const PASSWORD_CHANGE_REQUIRED = {
	status: 403,
	error: 'password_change_required',
	reason: 'Vui lòng đổi mật khẩu tạm thời trước khi tiếp tục.'
};

export function signedInGuard(
	sessions: SessionController,
	options: {
		/** Runs just before a refusal is sent (an upload drops the body it will never read). */
		beforeRefusal?: (req: Request, res: Response) => void;
	} = {}
): SignedInGuard {
	return async (req, res) => {
		// Answers about an account are never kept by a browser or a proxy.
		res.set('cache-control', 'no-store');
		const auth = await sessions.authenticate(req, res);
		if (!auth.ok) {
			options.beforeRefusal?.(req, res);
			sendError(res, { status: 401, error: auth.error, reason: auth.reason });
			return undefined;
		}
		// A temporary password is known to the manager who issued it: nothing is done in the
		// account's name until its owner has replaced it.
		if (auth.account.mustChangePassword) {
			options.beforeRefusal?.(req, res);
			sendError(res, PASSWORD_CHANGE_REQUIRED);
			return undefined;
		}
		return { account: auth.account, device: auth.device };
	};
}
