import { isSuperiorKind } from '$lib/domain/superior-kinds';
import type { SessionInfo } from './sign-in';

// Where a signed-in account lands (issue #13): a unit with subordinate units opens its morning
// screen (/tong-quan); a grassroots unit its roster. The unit's kind decides at sign-in (figures
// may not have synced yet); figures saying the unit has children count too, once they are there.

export type HomePath = '/tong-quan' | '/doan-vien';

export function homePath(
	info: Pick<SessionInfo, 'unit'> | null | undefined,
	options: { figuresHaveChildren?: boolean } = {}
): HomePath {
	if (!info) return '/doan-vien';
	return isSuperiorKind(info.unit.kind) || options.figuresHaveChildren
		? '/tong-quan'
		: '/doan-vien';
}
