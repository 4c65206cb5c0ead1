import * as v from 'valibot';
import { fullName, memberSortKey } from '../../src/lib/domain/names';
import type { CouchClient } from '../couch/couch-client';
import type { CouchSessionCache } from '../couch/session-cache';
import { forbidden, inSubtree, NOT_IN_SUBTREE, type Actor } from './org-access';
import type { ProvisionService } from '../couch/provision-service';
import { parse } from '../http/validation';
import { requireUnit } from './unit-views';

// The online roster (GET /api/units/:id/members): a unit's members, a page at a time, read on the
// server from the unit's database as the user.

export interface OnlineMemberRow {
	id: string;
	fullName: string;
	familyName: string;
	middleName: string;
	givenName: string;
	birthDate: string;
	status: string;
	branchId?: string;
}

/** One page of a unit's members, as the online roster (GET /api/units/:id/members) shows it. */
export interface OnlineRosterPage {
	rows: OnlineMemberRow[];
	total: number;
	offset: number;
	limit: number;
	branches: { id: string; name: string }[];
}

export const PageQuerySchema = v.object({
	offset: v.optional(
		v.pipe(
			v.string('Vị trí bắt đầu phải là một số.'),
			v.regex(/^\d{1,7}$/, 'Vị trí bắt đầu phải là một số.'),
			v.transform(Number)
		),
		'0'
	),
	limit: v.optional(
		v.pipe(
			v.string('Số dòng phải là một số.'),
			v.regex(/^\d{1,4}$/, 'Số dòng phải là một số.'),
			v.transform(Number),
			v.minValue(1, 'Số dòng phải từ 1 đến 500.'),
			v.maxValue(500, 'Số dòng phải từ 1 đến 500.')
		),
		'50'
	)
});

export class OnlineRoster {
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #couchSessions: CouchSessionCache;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		couchSessions: CouchSessionCache;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#couchSessions = options.couchSessions;
	}

	/**
	 * A page of a unit's members for the online roster, read from the unit database *as the user*,
	 * through the same CouchDB session the proxy uses: CouchDB's `_security` decides, not this server.
	 */
	async page(actor: Actor, id: string, query: unknown): Promise<OnlineRosterPage> {
		const unit = await requireUnit(this.#provision, id);
		if (!inSubtree(actor, unit)) throw forbidden(NOT_IN_SUBTREE);
		const page = parse(PageQuerySchema, query, 'Tham số phân trang không hợp lệ.');
		const [members, branches] = await Promise.all([
			this.#readAsUser<MemberLike>(actor, unit.db, 'member:'),
			this.#readAsUser<{ _id: string; name?: string; type?: string }>(actor, unit.db, 'branch:')
		]);
		const rows = members
			.filter((doc) => doc.type === 'member')
			.map((doc) => ({ doc, key: memberSortKey(nameParts(doc)) }))
			.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
			.map(({ doc }) => memberRow(doc));
		return {
			rows: rows.slice(page.offset, page.offset + page.limit),
			total: rows.length,
			offset: page.offset,
			limit: page.limit,
			branches: branches
				.filter((doc) => doc.type === 'branch')
				.map((doc) => ({ id: doc._id, name: String(doc.name ?? '') }))
		};
	}

	async #readAsUser<T>(actor: Actor, db: string, prefix: string): Promise<T[]> {
		const login = actor.account.login;
		const serviceSecret = actor.account.serviceSecret;
		for (let attempt = 0; attempt < 2; attempt++) {
			const cookie = await this.#couchSessions.get({ login, serviceSecret });
			const res = await this.#couch.request<{ rows?: { doc?: T | null }[] }>({
				path: `${encodeURIComponent(db)}/_all_docs`,
				query: {
					startkey: JSON.stringify(prefix),
					endkey: JSON.stringify(`${prefix}\ufff0`),
					include_docs: true
				},
				auth: { cookie }
			});
			if (res.status === 200) {
				return (res.body.rows ?? []).flatMap((row) => (row.doc ? [row.doc] : []));
			}
			if (res.status === 401 && attempt === 0) {
				// Our CouchDB session expired: sign in again once.
				this.#couchSessions.invalidate(login);
				continue;
			}
			if (res.status === 401 || res.status === 403) {
				throw forbidden('Bạn không có quyền truy cập dữ liệu của đơn vị này.');
			}
			throw new Error(`members of ${db}: CouchDB answered ${res.status}`);
		}
		throw forbidden('Bạn không có quyền truy cập dữ liệu của đơn vị này.');
	}
}

interface MemberLike {
	_id: string;
	type?: string;
	familyName?: string;
	middleName?: string;
	givenName?: string;
	birthDate?: string;
	status?: string;
	branchId?: string;
}

function nameParts(doc: MemberLike) {
	return {
		familyName: doc.familyName ?? '',
		middleName: doc.middleName ?? '',
		givenName: doc.givenName ?? ''
	};
}

/** The roster row: enough to recognise a member, nothing of their identity documents. */
function memberRow(doc: MemberLike): OnlineMemberRow {
	const parts = nameParts(doc);
	return {
		id: doc._id,
		fullName: fullName(parts),
		...parts,
		birthDate: doc.birthDate ?? '',
		status: doc.status ?? '',
		...(doc.branchId ? { branchId: doc.branchId } : {})
	};
}
