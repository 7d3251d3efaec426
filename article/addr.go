package article

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
)

// addressError is a refusal by an address policy. Its message names the
// address and why, in plain words, and it matches ErrRefusedAddress.
type addressError struct {
	addr   netip.Addr
	reason string
}

func (e *addressError) Error() string {
	return fmt.Sprintf("%s is %s: %v", e.addr, e.reason, ErrRefusedAddress)
}

func (e *addressError) Unwrap() error { return ErrRefusedAddress }

func refuse(addr netip.Addr, reason string) error {
	return &addressError{addr: addr, reason: reason}
}

// metadataAddrs are cloud instance-metadata endpoints (AWS, GCP, Azure,
// OpenStack, DigitalOcean; AWS over IPv6; Alibaba). They hand out
// credentials, so they stay refused even when private addresses are allowed.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("169.254.170.2"), // AWS ECS task metadata
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// refusedPrefixes are ranges DefaultAddressPolicy refuses beyond what the
// netip predicates cover, with the reason shown to the user.
var refusedPrefixes = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `a "this network" address`},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"}, // includes broadcast 255.255.255.255
	{netip.MustParsePrefix("::/96"), "an IPv4-compatible IPv6 address"},
	{netip.MustParsePrefix("100::/64"), "a discard-only address"},
	{netip.MustParsePrefix("2001::/32"), "a Teredo tunnel address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local NAT64 address"},
}

// Prefixes whose IPv6 addresses embed an IPv4 address that the policy
// judges instead: NAT64 (the last 32 bits) and 6to4 (bits 16 to 48).
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// DefaultAddressPolicy refuses every address that does not belong to the
// public internet: loopback, private (RFC 1918, fc00::/7), link-local,
// carrier-grade NAT, multicast, unspecified, broadcast, documentation,
// benchmarking and reserved ranges, and cloud metadata endpoints. An
// IPv4-mapped IPv6 address is judged as its IPv4 address, and NAT64 and
// 6to4 addresses by the IPv4 address they embed. Refusals wrap
// ErrRefusedAddress.
func DefaultAddressPolicy(addr netip.Addr) error {
	if !addr.IsValid() {
		return refuse(addr, "not a valid address")
	}
	addr = addr.Unmap().WithZone("")
	for _, m := range metadataAddrs {
		if addr == m {
			return refuse(addr, "a cloud metadata address")
		}
	}
	switch {
	case addr.IsLoopback():
		return refuse(addr, "a loopback address")
	case addr.IsPrivate():
		return refuse(addr, "a private address")
	case addr.IsLinkLocalUnicast():
		return refuse(addr, "a link-local address")
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return refuse(addr, "a multicast address")
	case addr.IsUnspecified():
		return refuse(addr, "the unspecified address")
	}
	for _, p := range refusedPrefixes {
		if p.prefix.Contains(addr) {
			return refuse(addr, p.reason)
		}
	}
	if addr.Is6() {
		b := addr.As16()
		var v4 netip.Addr
		switch {
		case nat64Prefix.Contains(addr):
			v4 = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		case sixToFour.Contains(addr):
			v4 = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		}
		if v4.IsValid() {
			if err := DefaultAddressPolicy(v4); err != nil {
				return refuse(addr, fmt.Sprintf("a tunnel address embedding %s", v4))
			}
		}
	}
	return nil
}

// metadataOnlyPolicy is the policy with FETCH_ALLOW_PRIVATE: private
// networks are reachable, but never credential-bearing metadata endpoints
// nor addresses one cannot sensibly connect to.
func metadataOnlyPolicy(addr netip.Addr) error {
	addr = addr.Unmap().WithZone("")
	for _, m := range metadataAddrs {
		if addr == m {
			return refuse(addr, "a cloud metadata address")
		}
	}
	if addr.IsUnspecified() || addr.IsMulticast() {
		return refuse(addr, "not a unicast address")
	}
	return nil
}

// dialControl returns a net.Dialer Control hook that applies policy to the
// address about to be connected to. It runs after DNS resolution and for
// every connection, so every redirect hop and every DNS answer is judged.
func dialControl(policy func(netip.Addr) error) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("connect to %q: unparsable address: %w", address, ErrRefusedAddress)
		}
		if err := policy(ap.Addr().Unmap()); err != nil {
			if !errors.Is(err, ErrRefusedAddress) {
				err = fmt.Errorf("%w: %w", ErrRefusedAddress, err)
			}
			return err
		}
		return nil
	}
}

// checkHost judges a URL host before any DNS look-up: "localhost" names
// (RFC 6761: always loopback) and IPv4 addresses written in the forms
// inet_aton accepts but a browser would not show (127.1, 0x7f000001,
// 2130706433, 0177.0.0.1, 127.0.0.1.), which resolvers and some libraries
// interpret differently. Such forms are refused: with ErrRefusedAddress
// when they decode to a refused address, else with ErrBadURL. A nil
// policy admits everything the dialer can reach.
func checkHost(host string, policy func(netip.Addr) error) error {
	h := strings.ToLower(host)
	if strings.HasPrefix(h, "[") || strings.Contains(h, ":") {
		return nil // IPv6 literal: judged when dialling
	}
	trimmed := strings.TrimSuffix(h, ".")
	if trimmed == "localhost" || strings.HasSuffix(trimmed, ".localhost") {
		if policy == nil {
			return nil
		}
		if policy(netip.AddrFrom4([4]byte{127, 0, 0, 1})) != nil || policy(netip.IPv6Loopback()) != nil {
			return fmt.Errorf("%q names this machine (loopback): %w", host, ErrRefusedAddress)
		}
		return nil
	}
	if !looksNumericIPv4(trimmed) {
		return nil
	}
	if a, err := netip.ParseAddr(h); err == nil && a.Is4() && a.String() == h {
		return nil // canonical dotted quad: judged when dialling
	}
	addr, ok := parseInetAton(trimmed)
	if !ok {
		return fmt.Errorf("host %q is not a valid IPv4 address: %w", host, ErrBadURL)
	}
	if policy != nil {
		if err := policy(addr); err != nil {
			return fmt.Errorf("host %q means %s: %w", host, addr, err)
		}
	}
	return fmt.Errorf("host %q is an unusual way to write %s: %w", host, addr, ErrBadURL)
}

// looksNumericIPv4 reports whether the last label of host is a number, in
// which case (as in the WHATWG URL standard) the host must be an IPv4
// address rather than a name.
func looksNumericIPv4(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		last = last[2:]
		for i := 0; i < len(last); i++ {
			c := last[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

// parseInetAton decodes an IPv4 address the way inet_aton(3) does: one to
// four parts separated by dots, each decimal, octal (leading 0) or hex
// (leading 0x), the last part filling the remaining bytes.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false
		}
		base := 10
		switch {
		case strings.HasPrefix(p, "0x"):
			base, p = 16, p[2:]
			if p == "" {
				p = "0" // inet_aton reads a bare "0x" as zero
			}
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		v, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, false
		}
		n |= v << (24 - 8*uint(i))
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*uint(5-len(vals))) {
		return netip.Addr{}, false
	}
	n |= last
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}
