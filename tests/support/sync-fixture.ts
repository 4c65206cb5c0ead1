import { generateHistory, generateMembers } from '../../src/lib/synthetic';
import { syncLocalDb } from '../../src/lib/data/store/pouch';
import type { TestServer } from './test-server';

// A unit on the real test server with members and their history, signed in as its secretary, and
// the documents' leaves on the server and on the device, for the sync engine's tests: a device in
// step with the server holds exactly the server's leaves and winners.

export interface Unit {
	id: string;
	db: string;
	login: string;
	cookie: string;
}

const TODAY = '2026-11-28';

export async function unitWithMembers(options: {
	server: TestServer;
	members: number;
	seed: string;
}): Promise<Unit> {
	const { server } = options;
	const created = await server.createUnitWithAccount({});
	const members = generateMembers({
		seed: options.seed,
		count: options.members,
		unitId: created.unit.id,
		branchIds: [],
		today: TODAY,
		createdBy: created.login
	});
	const history = generateHistory({ seed: options.seed, members, today: TODAY });
	const docs = [...members, ...history];
	for (let i = 0; i < docs.length; i += 1000) {
		await server.couch.bulkDocs({ db: created.unit.db, docs: docs.slice(i, i + 1000) });
	}
	const { cookie } = await server.signIn({ login: created.login, password: created.password });
	return { id: created.unit.id, db: created.unit.db, login: created.login, cookie };
}

export interface Leaves {
	leaves: string[];
	deleted: boolean;
	rev?: string;
}

/** Per document: winning rev, deleted, all leaves (conflicts and deleted leaves included). */
export async function serverLeaves(options: {
	server: TestServer;
	db: string;
}): Promise<Record<string, Leaves>> {
	const { server, db } = options;
	const res = await server.couch.json<{
		results: { id: string; changes: { rev: string }[]; deleted?: boolean }[];
	}>({ path: `${db}/_changes`, query: { style: 'all_docs' } });
	const all = await server.couch.json<{ rows: { id: string; value: { rev: string } }[] }>({
		path: `${db}/_all_docs`
	});
	return leavesOf({ changes: res.results, winners: all.rows });
}

/** The same, of the device's PouchDB as it stands (not waiting for anything to be filled in). */
export async function deviceLeaves(db: string): Promise<Record<string, Leaves>> {
	const local = syncLocalDb(db);
	const res = await local.changes({ since: 0, style: 'all_docs' });
	const all = await local.allDocs();
	return leavesOf({ changes: res.results, winners: all.rows });
}

function leavesOf(options: {
	changes: { id: string; changes: { rev: string }[]; deleted?: boolean }[];
	winners: { id: string; value: { rev: string } }[];
}): Record<string, Leaves> {
	const winners = new Map(options.winners.map((r) => [r.id, r.value.rev]));
	return Object.fromEntries(
		options.changes.map((r) => [
			r.id,
			{
				leaves: r.changes.map((c) => c.rev).sort(),
				deleted: !!r.deleted,
				...(winners.has(r.id) ? { rev: winners.get(r.id) } : {})
			}
		])
	);
}
