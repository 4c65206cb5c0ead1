import { error } from '@sveltejs/kit';
import { OPERATIONS } from '$lib/domain';

export function load({ params }) {
	if (!OPERATIONS.find(params.op)) error(404, 'Không có nghiệp vụ này.');
	return { key: params.key, op: params.op };
}
