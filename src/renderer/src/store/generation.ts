// Who the stores are loading for. Bumped whenever the signed-in person changes (sign-in, sign-out, the
// kept session opening): an answer to a request made for the previous person is dropped, never shown.
let current = 0;

/** The person generation now; capture it before an await and compare after. */
export const generation = () => current;

/** A new person (or none) is at this seat: every answer still on its way belongs to the previous one. */
export const nextGeneration = () => ++current;
