/**
 * Who a person is, for the self-review check: two addresses name the same reviewer when their
 * normalised forms are equal. Normalising is configuration (`certify.identity`), because what
 * reaches the same mailbox depends on the mail system:
 *
 * - case: always ignored (the whole address is lower-cased after Unicode NFC);
 * - plus-addressing (`plus_addressing`, default true): `ciso+ops@example.com` is
 *   `ciso@example.com` (everything from the first `+` of the local part is dropped, unless the
 *   local part starts with it);
 * - domain aliases (`domain_aliases`, default googlemail.com -> gmail.com): the domain is
 *   replaced by its canonical name first;
 * - dots (`dot_insensitive_domains`, default gmail.com and googlemail.com): in these domains
 *   the local part's dots are ignored, as that provider ignores them.
 *
 * Pure: no I/O, no configuration lookups; the caller passes the resolved rules.
 */
export const DEFAULT_IDENTITY_RULES = {
    plusAddressing: true,
    dotInsensitiveDomains: ["gmail.com", "googlemail.com"],
    domainAliases: { "googlemail.com": "gmail.com" },
};
/** A configured domain as compared: lower case, without a leading `@` or a trailing dot. */
export const canonicalDomain = (domain) => domain.trim().normalize("NFC").toLowerCase().replace(/^@/, "").replace(/\.$/, "");
/**
 * The normalised form of an address: what two addresses of the same person have in common.
 * Text that is not an address (no `@`, or nothing on one side of it) is only trimmed,
 * NFC-normalised and lower-cased.
 */
export function normaliseAddress(address, rules = DEFAULT_IDENTITY_RULES) {
    const text = address.trim().normalize("NFC").toLowerCase();
    const at = text.lastIndexOf("@");
    if (at <= 0 || at === text.length - 1)
        return text;
    let local = text.slice(0, at);
    let domain = canonicalDomain(text.slice(at + 1));
    const aliases = new Map(Object.entries(rules.domainAliases).map(([from, to]) => [
        canonicalDomain(from),
        canonicalDomain(to),
    ]));
    domain = aliases.get(domain) ?? domain;
    if (rules.plusAddressing) {
        const plus = local.indexOf("+");
        if (plus > 0)
            local = local.slice(0, plus);
    }
    const dotless = rules.dotInsensitiveDomains.some((d) => {
        const canonical = canonicalDomain(d);
        return (aliases.get(canonical) ?? canonical) === domain;
    });
    if (dotless) {
        const stripped = local.replace(/\./g, "");
        if (stripped !== "")
            local = stripped;
    }
    return `${local}@${domain}`;
}
/** Whether two addresses name the same person under `rules`. */
export function sameIdentity(a, b, rules = DEFAULT_IDENTITY_RULES) {
    if (a === null || a === undefined || b === null || b === undefined)
        return false;
    if (a.trim() === "" || b.trim() === "")
        return false;
    return normaliseAddress(a, rules) === normaliseAddress(b, rules);
}
//# sourceMappingURL=identity.js.map