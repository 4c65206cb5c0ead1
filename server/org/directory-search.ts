import * as v from 'valibot';
import type { DirectoryEntry, DirectoryIndex } from './directory-index';
import { parse } from '../http/validation';

// The directory search: units by name, for any signed-in account.

export const DirectoryQuerySchema = v.object({
	q: v.optional(
		v.pipe(
			v.string('Từ khóa tìm kiếm không hợp lệ.'),
			v.maxLength(200, 'Từ khóa tìm kiếm quá dài.')
		),
		''
	),
	limit: v.optional(
		v.pipe(
			v.string('Số kết quả phải là một số.'),
			v.regex(/^\d{1,4}$/, 'Số kết quả phải là một số.'),
			v.transform(Number),
			v.minValue(1, 'Số kết quả phải từ 1 đến 100.'),
			v.maxValue(100, 'Số kết quả phải từ 1 đến 100.')
		),
		'20'
	)
});

/** GET /api/directory: any signed-in account; names and places only, never members. */
export async function searchDirectory(
	directory: DirectoryIndex,
	query: unknown
): Promise<DirectoryEntry[]> {
	const input = parse(DirectoryQuerySchema, query, 'Từ khóa tìm kiếm không hợp lệ.');
	await directory.fresh();
	return directory.search({ q: input.q, limit: input.limit });
}
