import vm from 'node:vm';

// PouchDB's map/reduce and `_changes` filters run design-document code through
// `vm.runInNewContext(code)`: a fresh V8 context for EVERY document indexed — measured at ~7 % of
// the embedded store's CPU during 300 devices' sync (docs/decisions/0013-embedded-store-process.md),
// for the server's own views (jobs, accounts, devices, directory, registry claims).
//
// In the store's own process, calls with the code alone share one context instead. Safe here
// because only the server writes design documents (devices cannot: the proxy and the store's
// security refuse `_design/` writes from anyone but the admin), PouchDB wraps every call in a
// strict-mode function with its own variables, and the context holds nothing of a request. Calls
// that pass a context of their own are left as they were.

let installed = false;

export function shareOneVmContextForDesignCode(): void {
	if (installed) return;
	installed = true;
	const original = vm.runInNewContext.bind(vm);
	const shared = vm.createContext({});
	vm.runInNewContext = ((code: string, ...rest: unknown[]) =>
		rest.length === 0
			? vm.runInContext(code, shared)
			: (original as (...args: unknown[]) => unknown)(code, ...rest)) as typeof vm.runInNewContext;
}
