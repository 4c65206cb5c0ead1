import express, { type Router } from 'express';
import * as v from 'valibot';
import { DATABASE_UNIT_KINDS } from '../../src/lib/domain/unit-kinds';
import {
	FullNameSchema,
	invalid,
	LoginSchema,
	NewPasswordSchema,
	type AccountService
} from './account-service';
import { AppError, sendError } from '../http/app-error';
import { asyncHandler } from '../http/async-handler';
import type { AuditService } from '../audit/audit-service';
import { CouchError, type CouchClient } from '../couch/couch-client';
import type { ProvisionService } from '../couch/provision-service';
import type { SessionController } from './session-controller';

// Our own endpoints (docs/architecture.md, "HTTP"). The session endpoints are shared with
// /couch/_session through SessionController.

const SetupSchema = v.object(
	{
		unitName: v.pipe(
			v.string('Vui lòng nhập tên đơn vị.'),
			v.transform((value) => value.normalize('NFC').replace(/\s+/g, ' ').trim()),
			v.minLength(2, 'Vui lòng nhập tên đơn vị.'),
			v.maxLength(200, 'Tên đơn vị quá dài (tối đa 200 ký tự).')
		),
		unitKind: v.picklist(
			DATABASE_UNIT_KINDS.map((kind) => kind.id),
			'Vui lòng chọn loại đơn vị hợp lệ.'
		),
		login: LoginSchema,
		fullName: FullNameSchema,
		password: NewPasswordSchema
	},
	'Dữ liệu gửi lên không hợp lệ.'
);

const PasswordChangeSchema = v.object(
	{
		oldPassword: v.string('Vui lòng nhập mật khẩu hiện tại.'),
		newPassword: v.string('Vui lòng nhập mật khẩu mới.')
	},
	'Dữ liệu gửi lên không hợp lệ.'
);

const SETUP_LOCK_ID = 'setup';

const ALREADY_SET_UP = {
	status: 409,
	error: 'already_set_up',
	reason: 'Hệ thống đã được thiết lập. Vui lòng đăng nhập bằng tài khoản đã được cấp.'
};

export function createApiRouter(options: {
	couch: CouchClient;
	accounts: AccountService;
	provision: ProvisionService;
	sessions: SessionController;
	audit: AuditService;
	/** The directory changed (first-run setup): refresh what the server keeps in memory. */
	onDirectoryChange?: () => void;
}): Router {
	const { couch, accounts, provision, sessions, audit } = options;
	const router = express.Router();
	router.use(express.json({ limit: '64kb' }));
	router.use((_req, res, next) => {
		res.set('cache-control', 'no-store');
		next();
	});

	router.get('/health', (_req, res) => {
		res.json({ ok: true });
	});

	router.get(
		'/setup',
		asyncHandler(async (_req, res) => {
			res.json({ needsSetup: !(await provision.hasUnits()) });
		})
	);

	router.post(
		'/setup',
		asyncHandler(async (req, res) => {
			const parsed = v.safeParse(SetupSchema, req.body ?? {});
			if (!parsed.success) throw invalid(parsed.issues, 'Thông tin thiết lập không hợp lệ.');
			if (await provision.hasUnits()) {
				sendError(res, ALREADY_SET_UP);
				return;
			}
			const input = parsed.output;
			// A document only one request can create: two people setting up at once (or two server
			// processes) cannot both become the first admin.
			try {
				await couch.putDoc({
					db: provision.names.directory,
					doc: {
						_id: SETUP_LOCK_ID,
						type: 'setup',
						at: new Date().toISOString(),
						login: input.login
					}
				});
			} catch (error) {
				if (error instanceof CouchError && error.status === 409) {
					sendError(res, ALREADY_SET_UP);
					return;
				}
				throw error;
			}
			try {
				const unit = await provision.createUnit({
					name: input.unitName,
					kind: input.unitKind,
					createdBy: input.login
				});
				const account = await accounts.createAccount({
					login: input.login,
					password: input.password,
					fullName: input.fullName,
					unitId: unit.id,
					role: 'admin',
					mustChangePassword: false,
					createdBy: input.login
				});
				await audit.record({
					actor: input.login,
					action: 'setup',
					target: { type: 'unit', id: unit.id },
					details: { name: unit.name, kind: unit.kind, admin: input.login }
				});
				options.onDirectoryChange?.();
				await sessions.startSession({ req, res, account, status: 201 });
			} catch (error) {
				// Release the lock only if no unit came of it, so setup can be tried again.
				if (!(await provision.hasUnits().catch(() => true))) {
					const lock = await couch.getDoc({ db: provision.names.directory, id: SETUP_LOCK_ID });
					if (lock?._rev) {
						await couch.request({
							method: 'DELETE',
							path: `${encodeURIComponent(provision.names.directory)}/${SETUP_LOCK_ID}`,
							query: { rev: lock._rev }
						});
					}
				}
				throw error;
			}
		})
	);

	router.post(
		'/session',
		asyncHandler((req, res) => sessions.signIn(req, res))
	);
	router.get(
		'/session',
		asyncHandler((req, res) => sessions.current(req, res))
	);
	router.delete(
		'/session',
		asyncHandler((req, res) => sessions.signOut(req, res))
	);

	router.post(
		'/session/password',
		asyncHandler(async (req, res) => {
			const auth = await sessions.authenticate(req, res);
			if (!auth.ok) {
				sendError(res, { status: 401, error: auth.error, reason: auth.reason });
				return;
			}
			const parsed = v.safeParse(PasswordChangeSchema, req.body ?? {});
			if (!parsed.success) throw invalid(parsed.issues, 'Vui lòng nhập đủ mật khẩu cũ và mới.');
			// The old password is a guess like a sign-in (a device cookie lives 400 days): limited per
			// account and per device, reserved before it is checked, released once the change is made.
			const attempt = sessions.reservePasswordChange(res, {
				login: auth.account.login,
				deviceId: auth.device.id
			});
			if (!attempt) return;
			try {
				await accounts.changePassword({
					login: auth.account.login,
					oldPassword: parsed.output.oldPassword,
					newPassword: parsed.output.newPassword
				});
			} catch (error) {
				// Only a wrong old password is a guess; a new password that breaks the rules is not.
				if (!(error instanceof AppError && error.code === 'wrong_password')) attempt.release();
				throw error;
			}
			attempt.release();
			// The cached account still says "must change": the next request must see the new one.
			sessions.forgetAccount(auth.account.login);
			await audit.record({
				actor: auth.account.login,
				action: 'account.change-password',
				target: { type: 'account', id: auth.account.login }
			});
			res.json({ ok: true });
		})
	);

	router.use((_req, res) => {
		sendError(res, { status: 404, error: 'not_found', reason: 'Không tìm thấy địa chỉ này.' });
	});
	return router;
}
