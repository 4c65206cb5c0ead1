import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import express, { type Request, type Response, type Router } from 'express';
import {
	ATTACHMENT_MAX_BYTES,
	ATTACHMENT_TYPE_MESSAGE,
	attachmentTooLargeMessage
} from '../../src/lib/domain/mail/attachments';
import type { AccountDoc } from '../accounts/account-service';
import { LoginRateLimiter, type RateLimits } from '../accounts/login-rate-limiter';
import type { SessionController } from '../accounts/session-controller';
import type { AuditService } from '../audit/audit-service';
import { sendError } from '../http/app-error';
import { asyncHandler } from '../http/async-handler';
import { closeAfter } from '../http/request-guards';
import { signedInGuard } from '../http/signed-in-guard';
import { allowedType, FILE_HASH_PATTERN, fileNameOf, matchesSignature } from './attachment-rules';
import type { FileStore } from './file-store';
import { readUpload } from './upload-body';

// Mail attachments over HTTP (docs/decisions/0021-mail-between-units.md, "Attachments"):
//   POST /api/attachments        a unit's secretary, deputy or admin: the raw file as the body
//        (the one /api route whose body is not JSON: request-guards.ts), its type as Content-Type,
//        its name URL-encoded in X-File-Name → 201 { id, name, type, size };
//   GET  /api/attachments/<hash> the bytes, to an account whose unit is a reader of the file or an
//        ancestor of one; anyone else gets the 404 of a file that does not exist.
// Downloads are always `attachment` with a sandboxing CSP and nosniff: the app reads them with
// fetch() and shows them from a Blob, so nothing here ever renders in the app's own origin. Neither
// names nor bytes reach the request log (it logs the path: a hash).

const UPLOAD_ROLES = new Set(['secretary', 'deputy', 'admin']);

const NOT_FOUND = {
	status: 404,
	error: 'not_found',
	reason: 'Không tìm thấy tệp đính kèm này, hoặc bạn không có quyền xem.'
};

function typeRefused(): { status: number; error: string; reason: string } {
	return { status: 415, error: 'unsupported_media_type', reason: ATTACHMENT_TYPE_MESSAGE };
}

function tooLarge(size: number) {
	return { status: 413, error: 'too_large', reason: attachmentTooLargeMessage(size) };
}

/** `filename*` of RFC 6266/8187 (UTF-8, percent-encoded), and a plain ASCII fallback. */
export function contentDisposition(name: string): string {
	const ascii = name
		.normalize('NFD')
		.replace(/[^\x20-\x7e]/g, '')
		.replace(/["\\;%]/g, '_');
	const encoded = encodeURIComponent(name).replace(
		/['()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
	);
	return `attachment; filename="${ascii.trim() || 'tep-dinh-kem'}"; filename*=UTF-8''${encoded}`;
}

export function createAttachmentRouter(options: {
	sessions: SessionController;
	files: FileStore;
	audit: AuditService;
	uploadLimits: RateLimits;
}): Router {
	const { sessions, files, audit } = options;
	const limiter = new LoginRateLimiter(options.uploadLimits);
	const router = express.Router();

	/** The signed-in account, or undefined once it has answered (an upload's body is dropped). */
	const guard = signedInGuard(sessions, {
		beforeRefusal: (req, res) => {
			if (req.method === 'POST') closeAfter(req, res);
		}
	});
	const signedIn = async (req: Request, res: Response): Promise<AccountDoc | undefined> =>
		(await guard(req, res))?.account;

	/** Refuses before the body is read: answer, drain the rest, close the connection. */
	const refuse = (
		req: Request,
		res: Response,
		error: { status: number; error: string; reason: string }
	) => {
		closeAfter(req, res);
		sendError(res, error);
	};

	router.post(
		'/attachments',
		asyncHandler(async (req, res) => {
			const account = await signedIn(req, res);
			if (!account) return;
			if (!UPLOAD_ROLES.has(account.role)) {
				refuse(req, res, {
					status: 403,
					error: 'forbidden',
					reason: 'Chỉ bí thư, phó bí thư hoặc quản trị viên được đính kèm tệp.'
				});
				return;
			}
			const attempt = limiter.reserve([
				{ key: `upload:${account.login}`, limit: options.uploadLimits.perLogin }
			]);
			if (!attempt.ok) {
				res.set('retry-after', String(attempt.retryAfterSeconds));
				refuse(req, res, {
					status: 429,
					error: 'too_many_requests',
					reason: 'Bạn đã tải lên quá nhiều tệp trong thời gian ngắn. Vui lòng thử lại sau.'
				});
				return;
			}
			const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
			const type = allowedType(req.headers['content-type']);
			if (encoding !== 'identity' || !type) return refuse(req, res, typeRefused());
			const name = fileNameOf(req.headers['x-file-name']);
			if (!name) {
				refuse(req, res, {
					status: 400,
					error: 'bad_file_name',
					reason:
						'Tên tệp không hợp lệ: tối đa 200 ký tự, không chứa dấu gạch chéo, dấu hai chấm hay ký tự điều khiển.'
				});
				return;
			}
			const declared = Number(req.headers['content-length']);
			if (Number.isFinite(declared) && declared > ATTACHMENT_MAX_BYTES) {
				return refuse(req, res, tooLarge(declared));
			}

			const body = await readUpload(req, ATTACHMENT_MAX_BYTES);
			if (body.kind === 'aborted') return; // the client went away
			if (body.kind === 'too_large') return refuse(req, res, tooLarge(body.seen));
			if (body.bytes.length === 0) {
				sendError(res, {
					status: 400,
					error: 'empty_file',
					reason: 'Tệp trống, không có nội dung.'
				});
				return;
			}
			if (!matchesSignature(type, body.bytes)) {
				sendError(res, {
					status: 415,
					error: 'type_mismatch',
					reason: `Nội dung tệp không đúng loại đã chọn. ${ATTACHMENT_TYPE_MESSAGE}`
				});
				return;
			}

			const stored = await files.store({
				sha256: body.sha256,
				bytes: body.bytes,
				name,
				mediaType: type,
				unitId: account.unitId,
				login: account.login
			});
			// Ids, sizes and types only: a file's name may name a person.
			await audit.record({
				actor: account.login,
				action: 'attachment.upload',
				target: { type: 'file', id: `file:${body.sha256}` },
				details: {
					unitId: account.unitId,
					mediaType: type,
					size: body.bytes.length,
					stored: stored.created ? 'new' : 'reader-added'
				}
			});
			res.status(201).json({ id: body.sha256, name, type, size: body.bytes.length });
		})
	);

	const notAllowed = (allow: string) => (req: Request, res: Response) => {
		res.set('allow', allow);
		refuse(req, res, {
			status: 405,
			error: 'method_not_allowed',
			reason: 'Phương thức này không được hỗ trợ cho tệp đính kèm.'
		});
	};
	// Before the GET route, which Express would otherwise answer HEAD with.
	router.head('/attachments/:hash', notAllowed('GET'));

	router.get(
		'/attachments/:hash',
		asyncHandler(async (req, res) => {
			const account = await signedIn(req, res);
			if (!account) return;
			const hash = String(req.params.hash ?? '');
			// Exactly 64 lowercase hex digits: anything else (`..`, slashes, uppercase) is no file.
			if (!FILE_HASH_PATTERN.test(hash)) return sendError(res, NOT_FOUND);
			const doc = await files.get(hash);
			if (!doc || !(await files.mayRead(doc, account.unitId))) return sendError(res, NOT_FOUND);
			const etag = `"${hash}"`;
			const headers = {
				'content-disposition': contentDisposition(doc.name),
				'x-content-type-options': 'nosniff',
				'content-security-policy': "sandbox; default-src 'none'",
				// Content-addressed: the bytes under this address never change.
				'cache-control': 'private, max-age=31536000, immutable',
				etag
			};
			if (req.headers['if-none-match'] === etag) {
				res.status(304).set(headers).end();
				return;
			}
			const stored = await files.open(hash);
			if (!stored?.body) return sendError(res, NOT_FOUND);
			res.status(200).set({
				...headers,
				'content-type': allowedType(doc.mediaType) ?? 'application/octet-stream',
				'content-length': String(doc.size)
			});
			const stream = Readable.fromWeb(stored.body as unknown as NodeReadableStream);
			stream.once('error', () => res.destroy());
			stream.pipe(res);
		})
	);

	router.all('/attachments', notAllowed('POST'));
	router.all('/attachments/:hash', notAllowed('GET'));
	return router;
}
