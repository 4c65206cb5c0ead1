import type { UnitRecord } from '../../server/couch/provision-service';
import type { TestServer } from './test-server';

// The organisation most tests start from, built through the test server's own helpers (the real
// provisioning and accounts, never a mock): a province with its admin at the top, and a commune
// beneath it whose secretary, deputy and viewer are each signed in once.

export interface Credentials {
	login: string;
	password: string;
}

export interface SignedIn extends Credentials {
	/** The `dv_session=…` cookie of the account's one device. */
	cookie: string;
}

/** A province (Tỉnh đoàn), the top of a test's tree, with its admin account. */
export function createProvince(
	server: TestServer,
	name: string
): Promise<{ unit: UnitRecord } & Credentials> {
	return server.createUnitWithAccount({ kind: 'tinh-doan', role: 'admin', name });
}

/** The account signed in once through the API (a device of its own). */
export async function signedIn(server: TestServer, account: Credentials): Promise<SignedIn> {
	return { ...account, cookie: (await server.signIn(account)).cookie };
}

export type CommuneRole = 'secretary' | 'deputy' | 'viewer';

/** A commune under `parentId` with a secretary, a deputy and a viewer, each signed in. */
export async function createCommuneWithPeople(
	server: TestServer,
	options: { parentId: string; name: string }
): Promise<{ commune: UnitRecord; people: Record<CommuneRole, SignedIn> }> {
	const secretary = await server.createUnitWithAccount(options);
	const commune = secretary.unit;
	const deputy = await server.createAccountIn({ unitId: commune.id, role: 'deputy' });
	const viewer = await server.createAccountIn({ unitId: commune.id, role: 'viewer' });
	return {
		commune,
		people: {
			secretary: await signedIn(server, secretary),
			deputy: await signedIn(server, deputy),
			viewer: await signedIn(server, viewer)
		}
	};
}
