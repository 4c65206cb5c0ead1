import type { Response } from 'express';
import type * as v from 'valibot';

// The public API's refusals (docs/decisions/0019-self-declarations.md): `{ error, reason, field?,
// fields? }`, every reason a Vietnamese sentence a member can act on; `fields` names each declared
// field at fault with the form's own message. None of them says whether a citizen id, a unit's
// member or another declaration exists.

export type FieldErrors = Partial<Record<string, string>>;

export interface DeclarationErrorBody {
	error: string;
	reason: string;
	field?: string;
	fields?: FieldErrors;
}

export class DeclarationError extends Error {
	readonly status: number;
	readonly body: DeclarationErrorBody;
	readonly retryAfterSeconds: number | undefined;
	/** The unit a real link or receipt named, when the refusal came after that (audit counts). */
	unitId: string | undefined;

	constructor(
		status: number,
		body: DeclarationErrorBody,
		options: { retryAfterSeconds?: number } = {}
	) {
		super(body.reason);
		this.status = status;
		this.body = body;
		this.retryAfterSeconds = options.retryAfterSeconds;
		this.unitId = undefined;
	}
}

/** The refusal came after a real link or receipt named this unit: it is counted there. */
export function inUnit(error: DeclarationError, unitId: string): DeclarationError {
	error.unitId = unitId;
	return error;
}

export function sendDeclarationError(res: Response, error: DeclarationError): void {
	if (res.headersSent) {
		res.destroy();
		return;
	}
	if (error.retryAfterSeconds !== undefined) {
		res.set('retry-after', String(error.retryAfterSeconds));
	}
	res.status(error.status).set('cache-control', 'no-store').json(error.body);
}

export const LINK_UNKNOWN = () =>
	new DeclarationError(404, {
		error: 'join_link_unknown',
		reason:
			'Không tìm thấy đường dẫn khai báo này. Hãy kiểm tra lại đường dẫn hoặc hỏi Bí thư đơn vị đường dẫn mới.'
	});

export const LINK_DISABLED = () =>
	new DeclarationError(410, {
		error: 'join_link_disabled',
		reason: 'Đường dẫn khai báo này đã được đơn vị tắt. Hãy hỏi Bí thư đơn vị đường dẫn mới.'
	});

export const BRANCH_MOVED = () =>
	new DeclarationError(410, {
		error: 'branch_moved',
		reason:
			'Chi đoàn của đường dẫn này đã chuyển sang đơn vị Đoàn khác nên đường dẫn không còn dùng được. Hãy hỏi Bí thư chi đoàn đường dẫn mới.'
	});

export const UNIT_CLOSED = () =>
	new DeclarationError(410, {
		error: 'unit_closed',
		reason:
			'Đơn vị này đã giải thể hoặc đã hợp nhất vào đơn vị khác nên không nhận bản khai nữa. Hãy hỏi đơn vị Đoàn nơi bạn sinh hoạt đường dẫn mới.'
	});

export const DECLARATION_UNKNOWN = () =>
	new DeclarationError(404, {
		error: 'declaration_unknown',
		reason: 'Không tìm thấy bản khai với mã biên nhận này. Hãy kiểm tra lại mã (12 ký tự).'
	});

export const RECEIPT_TAKEN = () =>
	new DeclarationError(409, {
		error: 'receipt_taken',
		reason:
			'Mã biên nhận này đã được dùng cho một bản khai khác. Hãy tải lại trang để nhận mã mới rồi gửi lại.',
		field: 'receipt'
	});

export const TOO_LARGE = () =>
	new DeclarationError(413, {
		error: 'too_large',
		reason: 'Bản khai gửi lên quá lớn (tối đa 16 KB). Hãy rút gọn các ô nhập dài rồi gửi lại.'
	});

export const BAD_JSON = () =>
	new DeclarationError(400, {
		error: 'bad_request',
		reason: 'Dữ liệu gửi lên không đúng định dạng. Hãy tải lại trang rồi gửi lại.'
	});

export function tooMany(retryAfterSeconds: number): DeclarationError {
	const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
	return new DeclarationError(
		429,
		{
			error: 'too_many_requests',
			reason: `Có quá nhiều yêu cầu từ mạng của bạn. Vui lòng thử lại sau ${minutes} phút.`
		},
		{ retryAfterSeconds }
	);
}

export function closed(state: string): DeclarationError {
	const reasons: Record<string, string> = {
		approved: 'Bản khai đã được đơn vị duyệt nên không sửa hoặc rút được nữa.',
		rejected: 'Bản khai đã bị đơn vị từ chối nên không sửa hoặc rút được nữa.',
		withdrawn: 'Bản khai đã được rút nên không sửa được nữa.'
	};
	return new DeclarationError(409, {
		error: 'declaration_closed',
		reason: reasons[state] ?? 'Bản khai không còn sửa hoặc rút được nữa.'
	});
}

const TOP_LEVEL_REASONS: Record<string, string> = {
	link: 'Đường dẫn khai báo không hợp lệ.',
	receipt: 'Mã biên nhận không hợp lệ (12 ký tự, dạng XXXX-XXXX-XXXX).',
	consent: 'Cần đánh dấu đồng ý xử lý thông tin cá nhân để gửi bản khai.',
	fields: 'Bản khai không đúng định dạng.'
};

/** Schema messages written for people are Vietnamese; valibot's own defaults are English. */
function isVietnamese(message: string | undefined): message is string {
	return !!message && /[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]/i.test(message);
}

/** A body the schema refused, as the member's form can show it: per field, or the first problem. */
export function invalidBody(issues: readonly v.BaseIssue<unknown>[]): DeclarationError {
	const fields: FieldErrors = {};
	let field: string | undefined;
	let reason: string | undefined;
	for (const issue of issues) {
		const [first, second] = (issue.path ?? []).map((item) => String(item.key));
		if (first === 'fields' && second !== undefined) {
			fields[second] ??= isVietnamese(issue.message)
				? issue.message
				: 'Giá trị phải là chữ hoặc đúng/sai.';
			continue;
		}
		if (reason !== undefined) continue;
		field = first;
		const known = first === undefined ? undefined : TOP_LEVEL_REASONS[first];
		reason = isVietnamese(issue.message)
			? issue.message
			: first === undefined
				? 'Dữ liệu gửi lên không đúng mẫu bản khai.'
				: (known ?? 'Bản khai có mục không thuộc mẫu khai.');
	}
	if (reason === undefined) {
		return invalidFields(fields);
	}
	return new DeclarationError(400, {
		error: 'invalid',
		reason,
		...(field !== undefined ? { field } : {}),
		...(Object.keys(fields).length > 0 ? { fields } : {})
	});
}

/** The member form's rules refused some fields. */
export function invalidFields(fields: FieldErrors): DeclarationError {
	const count = Object.keys(fields).length;
	return new DeclarationError(400, {
		error: 'invalid_fields',
		reason:
			count === 1
				? `Bản khai còn một ô chưa đúng: ${Object.values(fields)[0]}`
				: `Bản khai còn ${count} ô chưa đúng. Hãy sửa các ô được đánh dấu rồi gửi lại.`,
		fields
	});
}
