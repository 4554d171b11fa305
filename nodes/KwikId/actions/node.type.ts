/** Every resource and its operations: the router's table must cover exactly these. */
export type KwikIdNodeType = {
	session: 'sendLink' | 'get';
	dkyc: 'pushUserData';
};

export type KwikIdResource = keyof KwikIdNodeType;
