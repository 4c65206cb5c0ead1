import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import type { Request, Response } from 'express';
import type { AccountDoc } from './account-service';
import { sendError, UNAVAILABLE_ERROR } from './app-error';
import type { CouchClient } from './couch-client';
import type { CouchSessionCache } from './couch-session-cache';
import { unitIdFromDb } from './db-names';
import {
	claimOf,
	type CitizenRegistry,
	type ClaimAnswer,
	type ClaimRequest,
	type RegistryUnit
} from './registry-service';

// The citizen-id check of the /couch proxy (docs/architecture.md, "National citizen-id registry";
// docs/decisions/0009-transfers-and-registry.md). Member documents a device pushes — `_bulk_docs`,
// with or without `new_edits: false`, and document PUTs — claim their citizen id in the registry
// before they are forwarded. A document whose number another member holds on the rolls is refused
// on its own: the rest of the batch goes on to CouchDB, and the answer carries one more per-document
// error in CouchDB's own shape (`forbidden`, which PouchDB and the sync engine report as denied),
// naming the unit where the person is active and nothing else about them. A claim made for a
// document CouchDB then refuses is undone. The history entries of a refused member in the same
// batch are refused with it.
//
// Only requests that carry a citizen id are parsed; the others are forwarded as they came (already
// buffered, which a `_bulk_docs` body is anyway before CouchDB answers). Nothing is logged.

/** A hook of the proxy for requests whose body must be read before they are forwarded. */
export interface ProxyBodyGuard {
	wants(options: { method: string; path: string }): boolean;
	handle(options: {
		req: Request;
		res: Response;
		db: string;
		/** Upstream path with the query string. */
		path: string;
		encoding: string;
		account: AccountDoc;
	}): Promise<void>;
}

const DECOMPRESSORS: Record<string, () => Transform> = {
	gzip: () => zlib.createGunzip(),
	'x-gzip': () => zlib.createGunzip(),
	deflate: () => zlib.createInflate(),
	br: () => zlib.createBrotliDecompress()
};

class BodyTooLarge extends Error {}

class Collect extends Transform {
	readonly chunks: Uint8Array[] = [];
	#seen = 0;
	readonly #limit: number;

	constructor(limit: number) {
		super();
		this.#limit = limit;
	}

	override _transform(
		chunk: Uint8Array,
		_encoding: BufferEncoding,
		callback: TransformCallback
	): void {
		this.#seen += chunk.length;
		if (this.#seen > this.#limit) {
			callback(new BodyTooLarge());
			return;
		}
		this.chunks.push(chunk);
		callback();
	}
}

export function refusalReason(unitName: string | undefined): string {
	return unitName
		? `Số CCCD này đang sinh hoạt tại ${unitName}. Mỗi người chỉ có một hồ sơ đang sinh hoạt: ` +
				'hãy đề nghị đơn vị đó chuyển sinh hoạt đoàn viên đến đơn vị mình, không kết nạp lại.'
		: 'Chưa kiểm tra được số CCCD này với danh sách toàn quốc. Hồ sơ sẽ được gửi lại ở lần đồng bộ sau.';
}

type BulkResult = { id?: string; rev?: string; ok?: boolean; error?: string; reason?: string };

export function createRegistryGuard(options: {
	couch: CouchClient;
	couchSessions: CouchSessionCache;
	registry: CitizenRegistry;
	units: (id: string) => Promise<RegistryUnit | undefined>;
	maxBodyBytes: number;
}): ProxyBodyGuard {
	const { couch, couchSessions, registry, units, maxBodyBytes } = options;
	const tooLarge = {
		status: 413,
		error: 'too_large',
		reason: `Dữ liệu gửi lên quá lớn (tối đa ${Math.round(maxBodyBytes / 1024 / 1024)} MB). Hãy đồng bộ từng phần nhỏ hơn.`
	};

	function docIdOf(path: string): string | undefined {
		const [, segment] = path.split('?', 1)[0]!.split('/');
		if (segment === undefined) return undefined;
		try {
			return decodeURIComponent(segment);
		} catch {
			return undefined;
		}
	}

	function readBody(req: Request, encoding: string): Promise<Buffer> {
		const stages: (Readable | Transform)[] = [req];
		const decompress = DECOMPRESSORS[encoding];
		if (decompress) stages.push(decompress());
		const collect = new Collect(maxBodyBytes);
		stages.push(collect);
		return new Promise((resolve, reject) => {
			pipeline(stages, (error) => (error ? reject(error) : resolve(Buffer.concat(collect.chunks))));
		});
	}

	/** Sends the (buffered) body to CouchDB as the user; once more with a new session on a 401. */
	async function send(options: {
		method: string;
		path: string;
		body: Buffer | string;
		account: AccountDoc;
		ifMatch: string | undefined;
	}): Promise<{ status: number; text: string; contentType: string }> {
		for (let attempt = 0; ; attempt++) {
			const cookie = await couchSessions.get({
				login: options.account.login,
				serviceSecret: options.account.serviceSecret
			});
			const res = await fetch(couch.url(options.path), {
				method: options.method,
				headers: {
					cookie,
					accept: 'application/json',
					'content-type': 'application/json',
					...(options.ifMatch ? { 'if-match': options.ifMatch } : {})
				},
				body: options.body as BodyInit
			});
			const text = await res.text();
			if (res.status === 401 && attempt === 0) {
				couchSessions.invalidate(options.account.login);
				continue;
			}
			return {
				status: res.status,
				text,
				contentType: res.headers.get('content-type') ?? 'application/json'
			};
		}
	}

	return {
		wants({ method, path }) {
			if (method === 'POST') return path.endsWith('/_bulk_docs');
			return method === 'PUT' && (docIdOf(path) ?? '').startsWith('member:');
		},

		async handle({ req, res, db, path, encoding, account }) {
			let raw: Buffer;
			try {
				raw = await readBody(req, encoding);
			} catch (error) {
				if (error instanceof BodyTooLarge) sendError(res, tooLarge);
				else {
					sendError(res, {
						status: 400,
						error: 'bad_request',
						reason: 'Dữ liệu nén gửi lên bị hỏng, không giải nén được.'
					});
				}
				return;
			}
			const bulk = req.method === 'POST';
			const ifMatch = req.headers['if-match']?.toString();
			const forward = async (body: Buffer | string) => {
				try {
					const answer = await send({ method: req.method, path, body, account, ifMatch });
					if (answer.status >= 500) {
						sendError(res, { status: 502, ...UNAVAILABLE_ERROR });
						return undefined;
					}
					return answer;
				} catch {
					sendError(res, { status: 502, ...UNAVAILABLE_ERROR });
					return undefined;
				}
			};
			const passThrough = async () => {
				const answer = await forward(raw);
				if (answer) res.status(answer.status).type(answer.contentType).send(answer.text);
			};

			// Most pushes carry no citizen id at all (history, branches, edits of other fields…).
			if (!raw.includes('"citizenId"')) return passThrough();
			let body: unknown;
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				return passThrough(); // CouchDB answers the bad JSON.
			}
			const docs: Record<string, unknown>[] = bulk
				? Array.isArray((body as { docs?: unknown })?.docs)
					? ((body as { docs: unknown[] }).docs as Record<string, unknown>[])
					: []
				: [{ ...(body as Record<string, unknown>), _id: docIdOf(path) }];
			const subjects: { index: number; request: ClaimRequest }[] = [];
			docs.forEach((doc, index) => {
				const claim = doc && typeof doc === 'object' ? claimOf(doc) : undefined;
				if (claim) subjects.push({ index, request: claim });
			});
			const unitId = unitIdFromDb(db);
			const unit = unitId ? await units(unitId) : undefined;
			if (subjects.length === 0 || !unit) return passThrough();

			const answers = await registry.claim({ unit, requests: subjects.map((s) => s.request) });
			const refused = new Map<number, ClaimAnswer & { ok: false }>();
			const created = new Map<string, { id: string; rev: string }>();
			subjects.forEach((subject, i) => {
				const answer = answers[i]!;
				if (!answer.ok) refused.set(subject.index, answer);
				else if (answer.created) created.set(subject.request.memberId, answer.created);
			});
			// A refused record's history entries (its admission above all) describe a member the
			// unit does not have: they are refused with it and stay on the device with it, to go
			// together once the clash is settled.
			if (bulk && refused.size > 0) {
				const refusedMembers = new Map<string, ClaimAnswer & { ok: false }>();
				for (const [index, answer] of refused) {
					refusedMembers.set(String(docs[index]?._id ?? ''), answer);
				}
				docs.forEach((doc, index) => {
					const memberId = doc && doc.type === 'history' ? doc.memberId : undefined;
					const answer = typeof memberId === 'string' ? refusedMembers.get(memberId) : undefined;
					if (answer && !refused.has(index)) refused.set(index, answer);
				});
			}
			const refusal = (index: number): BulkResult => ({
				id: String(docs[index]?._id ?? ''),
				error: 'forbidden',
				reason: refusalReason(refused.get(index)?.unitName)
			});

			if (!bulk) {
				if (refused.size > 0) {
					sendError(res, { status: 403, error: 'forbidden', reason: refusal(0).reason! });
					return;
				}
				const answer = await forward(raw);
				if (!answer) {
					await registry.rollback([...created.values()]);
					return;
				}
				if (answer.status >= 300) await registry.rollback([...created.values()]);
				res.status(answer.status).type(answer.contentType).send(answer.text);
				return;
			}

			const kept = docs.filter((_doc, index) => !refused.has(index));
			const newEdits = (body as { new_edits?: unknown }).new_edits !== false;
			let upstream: BulkResult[] = [];
			let status = 201;
			if (kept.length > 0) {
				const answer = await forward(
					refused.size > 0 ? JSON.stringify({ ...(body as object), docs: kept }) : raw
				);
				if (!answer) {
					await registry.rollback([...created.values()]);
					return;
				}
				let parsed: unknown;
				try {
					parsed = JSON.parse(answer.text);
				} catch {
					parsed = undefined;
				}
				if (answer.status >= 300 || !Array.isArray(parsed)) {
					// The whole request failed (bad request, forbidden database…): nothing was stored.
					await registry.rollback([...created.values()]);
					res.status(answer.status).type(answer.contentType).send(answer.text);
					return;
				}
				upstream = parsed as BulkResult[];
				status = answer.status;
			}

			// Claims whose member CouchDB stored no revision of are undone.
			const failed = new Set(upstream.filter((row) => row.error).map((row) => String(row.id)));
			const storedIds = new Set(
				newEdits
					? upstream.filter((row) => !row.error).map((row) => String(row.id))
					: kept.map((doc) => String(doc._id)).filter((id) => !failed.has(id))
			);
			await registry.rollback(
				[...created].filter(([memberId]) => !storedIds.has(memberId)).map(([, claim]) => claim)
			);

			// The answer in CouchDB's shape: with new_edits one row per document in order, without it
			// only the errors.
			let merged: BulkResult[];
			if (newEdits) {
				merged = [];
				let next = 0;
				docs.forEach((_doc, index) => {
					merged.push(refused.has(index) ? refusal(index) : (upstream[next++] ?? {}));
				});
			} else {
				merged = [...upstream, ...[...refused.keys()].map(refusal)];
			}
			res.status(status).json(merged);
		}
	};
}
