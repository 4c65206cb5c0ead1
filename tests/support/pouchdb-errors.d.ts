// pouchdb-errors ships no types; the part the storage tests use to build PouchDB's own errors.
declare module 'pouchdb-errors' {
	export const IDB_ERROR: { status: number; name: string; message: string };
	export function createError(
		error: { status: number; name: string; message: string },
		reason?: string,
		type?: string
	): Error & { status: number; name: string; reason?: string };
}
