import type { TestServer } from './test-server';

// A unit's chi đoàn as the browser tests seed it: a version-1 branch document written straight into
// the unit's database (as an older app wrote them; the app upgrades it on read), so the member form
// has a branch to offer.

export function branchV1Doc(options: { id: string; unitId: string; name: string; at?: string }) {
	const at = options.at ?? new Date().toISOString();
	return {
		_id: options.id,
		type: 'branch',
		v: 1,
		unitId: options.unitId,
		name: options.name,
		createdAt: at,
		createdBy: 'test',
		updatedAt: at,
		updatedBy: 'test'
	};
}

/** A commune with its secretary's account, and one chi đoàn in its database. */
export async function createUnitWithBranch(
	server: TestServer,
	options: { name: string; branch: { id: string; name: string } }
): Promise<{
	unit: { id: string; db: string; name: string };
	secretary: { login: string; password: string };
}> {
	const created = await server.createUnitWithAccount({ name: options.name });
	await server.couch.putDoc({
		db: created.unit.db,
		doc: branchV1Doc({ ...options.branch, unitId: created.unit.id })
	});
	return { unit: created.unit, secretary: { login: created.login, password: created.password } };
}
