/** Who acts: the signed-in account, whose login every command records on what it writes. */
export interface Actor {
	login: string;
}
