import { error } from '@sveltejs/kit';
import { isOperationSlug } from '$lib/ui/operation-kinds';

export function load({ params }) {
	if (!isOperationSlug(params.op)) error(404, 'Không có nghiệp vụ này.');
	return { key: params.key, op: params.op };
}
