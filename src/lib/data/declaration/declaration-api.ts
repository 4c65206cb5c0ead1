import type { DeclarationView, JoinLinkInfo } from '$lib/domain/declarations/declaration-api';
import type { DeclarationInput } from '$lib/domain/declarations/declaration-input';
import type { ConsentRecord } from '$lib/domain/declarations/consent';

// The member's side of the public API (docs/decisions/0019-self-declarations.md): plain fetch, no
// session, no sync engine — the page must open on 3G with 60 KB of JavaScript. Every answer is one
// of four kinds the page can act on: done, refused for good (a 4xx: fix it or give up, never
// resend as is), wait (429: the server says how long), or not reached (no signal, a proxy or the
// server down: try again later, nothing lost).

export type ApiAnswer<T> =
	| { kind: 'ok'; status: number; value: T }
	| {
			kind: 'refused';
			status: number;
			error: string;
			reason: string;
			/** Per-field Vietnamese sentences of a 400 (the form shows each beside its field). */
			fields?: Record<string, string>;
	  }
	| { kind: 'wait'; retryAfterSeconds: number; reason: string }
	| { kind: 'unreachable'; reason: string };

const UNREACHABLE = 'Chưa kết nối được máy chủ (mất sóng hoặc mạng yếu). Bản khai vẫn giữ trên máy.';
const SERVER_TROUBLE = 'Máy chủ đang bận hoặc gặp sự cố. Bản khai vẫn giữ trên máy, sẽ thử lại sau.';
const REFUSED = 'Máy chủ từ chối yêu cầu.';

interface ErrorBody {
	error?: unknown;
	reason?: unknown;
	fields?: unknown;
	field?: unknown;
}

function fieldErrors(body: ErrorBody): Record<string, string> | undefined {
	const out: Record<string, string> = {};
	if (body.fields && typeof body.fields === 'object') {
		for (const [key, value] of Object.entries(body.fields as Record<string, unknown>)) {
			if (typeof value === 'string') out[key] = value;
		}
	}
	if (typeof body.field === 'string' && typeof body.reason === 'string' && !out[body.field]) {
		out[body.field] = body.reason;
	}
	return Object.keys(out).length > 0 ? out : undefined;
}

async function call<T>(path: string, init?: { body: unknown }): Promise<ApiAnswer<T>> {
	let res: Response;
	try {
		res = await fetch(path, {
			method: init ? 'POST' : 'GET',
			headers: init
				? { 'content-type': 'application/json', accept: 'application/json' }
				: { accept: 'application/json' },
			body: init ? JSON.stringify(init.body) : undefined,
			cache: 'no-store',
			credentials: 'omit'
		});
	} catch {
		return { kind: 'unreachable', reason: UNREACHABLE };
	}
	let body: unknown = null;
	try {
		body = await res.json();
	} catch {
		// A proxy's HTML page, or the service worker's shell: not our API's answer.
		body = null;
	}
	if (res.ok && body !== null) return { kind: 'ok', status: res.status, value: body as T };
	const error = (body ?? {}) as ErrorBody;
	const reason = typeof error.reason === 'string' ? error.reason : undefined;
	if (res.status === 429) {
		const header = Number(res.headers.get('retry-after'));
		const retryAfterSeconds = Number.isFinite(header) && header > 0 ? header : 60;
		return { kind: 'wait', retryAfterSeconds, reason: reason ?? 'Gửi quá nhiều lần, hãy chờ.' };
	}
	// 5xx, or an answer that is not our JSON (a captive portal, a gateway): try again later.
	if (res.status >= 500 || body === null || res.ok) {
		return { kind: 'unreachable', reason: SERVER_TROUBLE };
	}
	return {
		kind: 'refused',
		status: res.status,
		error: typeof error.error === 'string' ? error.error : 'refused',
		reason: reason ?? REFUSED,
		fields: fieldErrors(error)
	};
}

/** GET /api/join/<link>: which unit (and chi đoàn) the link declares to. */
export function fetchJoinLink(link: string): Promise<ApiAnswer<JoinLinkInfo>> {
	return call<JoinLinkInfo>(`/api/join/${encodeURIComponent(link)}`);
}

export function submitDeclaration(body: {
	link: string;
	receipt: string;
	fields: DeclarationInput;
	consent: ConsentRecord;
}): Promise<ApiAnswer<DeclarationView>> {
	return call<DeclarationView>('/api/declarations', { body });
}

export function declarationStatus(receipt: string): Promise<ApiAnswer<DeclarationView>> {
	return call<DeclarationView>('/api/declarations/status', { body: { receipt } });
}

export function correctDeclaration(body: {
	receipt: string;
	fields: DeclarationInput;
	consent: ConsentRecord;
}): Promise<ApiAnswer<DeclarationView>> {
	return call<DeclarationView>('/api/declarations/correct', { body });
}

export function withdrawDeclaration(receipt: string): Promise<ApiAnswer<DeclarationView>> {
	return call<DeclarationView>('/api/declarations/withdraw', { body: { receipt } });
}
