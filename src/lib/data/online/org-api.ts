import type { UnitStatus } from '$lib/domain/org';
import { apiRequest } from './api-client';
import { remoteDb } from '$lib/data/store/pouch';

// The organisation API (docs/architecture.md, "Organisation API"): the unit tree, accounts, devices,
// the directory. Online only: these acts are decided by the server and recorded in its audit.

// The statuses are the domain's (src/lib/domain/org/unit-status.ts).
export type { UnitStatus } from '$lib/domain/org';

export interface UnitSummary {
	id: string;
	name: string;
	kind: string;
	status: UnitStatus;
}

export interface NameChange {
	name: string;
	from?: string;
	to?: string;
	by?: string;
	decision?: string;
}

export interface UnitDetail {
	unit: UnitSummary & {
		parentId?: string | null;
		db: string;
		mergedInto?: string;
		nameHistory: NameChange[];
	};
	ancestors: UnitSummary[];
	children: UnitSummary[];
	canManage: boolean;
}

export interface DeviceRow {
	id: string;
	createdAt: string;
	lastSeenAt?: string;
	userAgent?: string;
	revokedAt?: string;
	revokedBy?: string;
}

export interface AccountRow {
	login: string;
	fullName: string;
	role: string;
	disabled: boolean;
	mustChangePassword: boolean;
	createdAt: string;
	createdBy: string;
	/** The contact phone an organisation sheet gave (server/accounts/account-record.ts). */
	phone?: string;
	devices: DeviceRow[];
}

export interface Job {
	id: string;
	kind: string;
	state: string;
	progress?: { done: number; total: number };
	error?: string;
}

export interface DirectoryEntry extends UnitSummary {
	path: string;
}

export interface OnlineMemberRow {
	id: string;
	fullName: string;
	birthDate: string;
	status: string;
	branchId?: string;
}

const enc = encodeURIComponent;

export const getUnit = (id: string) => apiRequest<UnitDetail>({ path: `/units/${enc(id)}` });

export const createUnit = (body: { parentId: string; name: string; kind: string }) =>
	apiRequest<UnitSummary>({ method: 'POST', path: '/units', body });

export const renameUnit = (options: { id: string; name: string; decision?: string }) =>
	apiRequest<UnitSummary>({
		method: 'POST',
		path: `/units/${enc(options.id)}/rename`,
		body: { name: options.name, decision: options.decision || undefined }
	});

export const mergeUnit = (options: { id: string; intoId: string }) =>
	apiRequest<Job>({
		method: 'POST',
		path: `/units/${enc(options.id)}/merge`,
		body: { intoId: options.intoId }
	});

export const splitUnit = (options: {
	id: string;
	name: string;
	kind: string;
	branchIds: string[];
}) =>
	apiRequest<Job>({
		method: 'POST',
		path: `/units/${enc(options.id)}/split`,
		body: { name: options.name, kind: options.kind, branchIds: options.branchIds }
	});

export const dissolveUnit = (id: string) =>
	apiRequest<UnitSummary>({ method: 'POST', path: `/units/${enc(id)}/dissolve` });

export const getJob = (id: string) => apiRequest<Job>({ path: `/jobs/${enc(id)}` });

export const listAccounts = (unitId: string) =>
	apiRequest<AccountRow[]>({ path: `/units/${enc(unitId)}/accounts` });

export const createAccount = (options: {
	unitId: string;
	login: string;
	fullName: string;
	role: string;
}) =>
	apiRequest<{ account: AccountRow; temporaryPassword: string }>({
		method: 'POST',
		path: `/units/${enc(options.unitId)}/accounts`,
		body: { login: options.login, fullName: options.fullName, role: options.role }
	});

export const resetPassword = (login: string) =>
	apiRequest<{ temporaryPassword: string }>({
		method: 'POST',
		path: `/accounts/${enc(login)}/reset-password`
	});

export const setAccountDisabled = (options: { login: string; disabled: boolean }) =>
	apiRequest<AccountRow>({
		method: 'POST',
		path: `/accounts/${enc(options.login)}/${options.disabled ? 'disable' : 'enable'}`
	});

export const revokeDevice = (id: string) =>
	apiRequest<DeviceRow>({ method: 'POST', path: `/devices/${enc(id)}/revoke` });

export const searchDirectory = (options: { q: string; limit?: number }) =>
	apiRequest<DirectoryEntry[]>({
		path: `/directory?q=${enc(options.q)}&limit=${options.limit ?? 20}`
	});

export const unitMembers = (options: { id: string; offset?: number; limit?: number }) =>
	apiRequest<{ rows: OnlineMemberRow[]; total: number; offset: number }>({
		path: `/units/${enc(options.id)}/members?offset=${options.offset ?? 0}&limit=${options.limit ?? 50}`
	});

/** Polls a job until it ends; `onProgress` sees each state. */
export async function waitForJob(options: {
	id: string;
	onProgress?: (job: Job) => void;
	intervalMs?: number;
}): Promise<Job> {
	for (;;) {
		const job = await getJob(options.id);
		options.onProgress?.(job);
		if (job.state === 'done' || job.state === 'failed') return job;
		await new Promise((r) => setTimeout(r, options.intervalMs ?? 1000));
	}
}

/** A unit's chi đoàn, read online through the proxy (the superior may read its subtree). */
export async function unitBranchesOnline(db: string): Promise<{ id: string; name: string }[]> {
	const res = await remoteDb(db).allDocs({
		startkey: 'branch:',
		endkey: 'branch:\ufff0',
		include_docs: true
	});
	return res.rows
		.map((row) => ({ id: row.id, name: String((row.doc as { name?: string })?.name ?? row.id) }))
		.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}
