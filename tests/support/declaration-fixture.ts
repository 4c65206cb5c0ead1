import { randomBytes } from 'node:crypto';
import type { UnitRecord } from '../../server/couch/provision-service';
import {
	CURRENT_CONSENT_VERSION,
	DECLARATION_SCHEMA_VERSION,
	formatJoinToken,
	joinLinkId,
	newJoinCode,
	newReceiptCode,
	type DeclarationInput,
	type JoinLinkDoc
} from '../../src/lib/domain/declarations';
import type { TestServer } from './test-server';

// Self-declarations in tests (docs/decisions/0019-self-declarations.md), the way the real actors do
// them: a join link written by the unit's secretary through /couch (so validate_doc_update judges
// it, as it judges her phone's sync), and a declaration sent to the public API as the member's page
// sends it. Small on purpose:
//   - createJoinLink({ server, unit, secretaryCookie?, branchId?, enabled?, code? }) → the link's
//     token (`<unitId>-<CODE>`, what /khai/<token> and the API take), its document and the cookie
//     that wrote it. Without a cookie, a secretary account is created in the unit and signed in.
//     Writing the same link again (same unit and branchId) updates it: a new code rotates it,
//     `enabled: false` disables it.
//   - declarationFields(overrides?) → the raw fields of a valid declaration (a woman born twenty
//     years before today, so any date the suite runs on accepts her).
//   - submitDeclaration({ server, token, fields?, receipt?, consent?, headers? }) → the HTTP answer,
//     its parsed body, the receipt code used (a fresh one unless given) and the body sent.
//   - declarationApi(server, path, body) → POST /api/declarations<path> with a JSON body.

export interface JoinLink {
	token: string;
	doc: JoinLinkDoc & { _rev: string };
	cookie: string;
	login: string;
}

async function sessionLogin(server: TestServer, cookie: string): Promise<string> {
	const res = await server.request('/api/session', { cookie });
	if (!res.ok) throw new Error(`GET /api/session: ${res.status}`);
	return ((await res.json()) as { user: { login: string } }).user.login;
}

export async function createJoinLink(options: {
	server: TestServer;
	unit: UnitRecord;
	/** The unit's own secretary (or deputy) device cookie; default: a new secretary, signed in. */
	secretaryCookie?: string;
	/** A chi đoàn's link (`branch:<unitId>…`); default: the unit's own. */
	branchId?: string;
	enabled?: boolean;
	/** Default: a fresh code (codes.ts newJoinCode). */
	code?: string;
}): Promise<JoinLink> {
	const { server, unit } = options;
	let cookie = options.secretaryCookie;
	if (!cookie) {
		const account = await server.createAccountIn({ unitId: unit.id, role: 'secretary' });
		cookie = (await server.signIn(account)).cookie;
	}
	const login = await sessionLogin(server, cookie);
	const id = joinLinkId(options.branchId);
	const path = `/couch/${unit.db}/${encodeURIComponent(id)}`;
	const current = await server.request(path, { cookie });
	const before = current.ok ? ((await current.json()) as JoinLinkDoc) : undefined;
	const at = new Date().toISOString();
	const code = options.code ?? newJoinCode();
	const doc: JoinLinkDoc = {
		_id: id,
		...(before?._rev ? { _rev: before._rev } : {}),
		type: 'join-link',
		v: DECLARATION_SCHEMA_VERSION,
		unitId: unit.id,
		...(options.branchId ? { branchId: options.branchId } : {}),
		code,
		enabled: options.enabled ?? true,
		...(before && before.code !== code ? { rotatedAt: at } : {}),
		createdAt: before?.createdAt ?? at,
		createdBy: before?.createdBy ?? login,
		updatedAt: at,
		updatedBy: login
	};
	const res = await server.request(path, {
		method: 'PUT',
		cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(doc)
	});
	if (res.status !== 201) throw new Error(`PUT ${id}: ${res.status} ${await res.text()}`);
	const { rev } = (await res.json()) as { rev: string };
	return {
		token: formatJoinToken({ unitId: unit.id, code }),
		doc: { ...doc, _rev: rev },
		cookie,
		login
	};
}

/** A valid declaration's raw fields, as the member types them. */
export function declarationFields(overrides: Partial<DeclarationInput> = {}): DeclarationInput {
	const year = new Date().getUTCFullYear() - 20;
	return {
		familyName: 'Nguyễn',
		middleName: 'Thị',
		givenName: `Hoa`,
		gender: 'Nữ',
		birthDate: `15/03/${year}`,
		ethnicCode: 'Kinh',
		religion: 'Không',
		generalEducation: '12/12',
		phone: '0912345678',
		...overrides
	};
}

export function consentNow(): { version: string; given: true; at: string } {
	return { version: CURRENT_CONSENT_VERSION, given: true, at: new Date().toISOString() };
}

/** POST /api/declarations<path> with a JSON body (a string is sent as it is). */
export function declarationApi(
	server: TestServer,
	path: '' | '/status' | '/correct' | '/withdraw',
	body: unknown,
	headers: Record<string, string> = {}
): Promise<Response> {
	return server.request(`/api/declarations${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});
}

export async function submitDeclaration(options: {
	server: TestServer;
	token: string;
	fields?: DeclarationInput;
	receipt?: string;
	consent?: unknown;
	headers?: Record<string, string>;
}): Promise<{
	res: Response;
	receipt: string;
	body: Record<string, unknown>;
	/** What was sent: send it again to act out a resend. */
	sentBody: Record<string, unknown>;
}> {
	const receipt = options.receipt ?? newReceiptCode();
	const sentBody = {
		link: options.token,
		receipt,
		fields: options.fields ?? declarationFields(),
		consent: options.consent ?? consentNow()
	};
	const res = await declarationApi(options.server, '', sentBody, options.headers);
	const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
	return { res, receipt, body, sentBody };
}

/** A marker for names: letters only (the member form refuses digits in names), capitalised as the
 * form stores a name, so it is found as it was sent. */
export function nameMarker(): string {
	const letters = 'abcdeghiklmnopqrstuvxy';
	const word = [...randomBytes(6)].map((byte) => letters[byte % letters.length]).join('');
	return word.charAt(0).toUpperCase() + word.slice(1);
}
