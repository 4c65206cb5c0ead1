// exceljs is loaded only when someone reads or writes a sheet (a dynamic import: its ~250 kB
// gzipped never reach the sign-in or roster screens; docs/decisions/0017-dashboard-charts-and-export.md).

export type ExcelModule = typeof import('exceljs');

export async function loadExcel(): Promise<ExcelModule> {
	const mod = (await import('exceljs')) as ExcelModule & { default?: ExcelModule };
	// The browser build is a CommonJS bundle: its namespace is the default export.
	return mod.default ?? mod;
}
