package article

import (
	"errors"
	"net/netip"
	"testing"
)

func TestDefaultAddressPolicy(t *testing.T) {
	t.Parallel()
	refused := []string{
		"127.0.0.1", "127.255.255.254", "::1",
		"10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fc00::1", "fd12:3456::1",
		"169.254.1.1", "fe80::1", "fe80::1%eth0",
		"169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200",
		"100.64.0.1", "100.127.255.255",
		"224.0.0.1", "239.255.255.250", "ff02::1", "ff05::2",
		"0.0.0.0", "0.1.2.3", "::",
		"255.255.255.255", "240.0.0.1",
		"198.18.0.1", "198.19.255.255",
		"192.0.2.1", "198.51.100.7", "203.0.113.9", "2001:db8::1", "192.0.0.8",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"::127.0.0.1",                                             // IPv4-compatible
		"64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", // NAT64 of loopback, 10.0.0.1, metadata
		"2002:7f00:1::1", "2002:c0a8:101::", // 6to4 of loopback, 192.168.1.1
		"2001::1", "fec0::1", "100::1", "64:ff9b:1::1",
	}
	for _, s := range refused {
		addr := netip.MustParseAddr(s)
		err := DefaultAddressPolicy(addr)
		if !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("DefaultAddressPolicy(%s) = %v, want ErrRefusedAddress", s, err)
		}
	}
	admitted := []string{
		"93.184.216.34", "1.1.1.1", "8.8.8.8", "151.101.1.69", "100.63.255.255", "100.128.0.1",
		"172.32.0.1", "198.20.0.1", "223.255.255.255", "2606:4700::1111", "2a00:1450:4001::200e",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
	}
	for _, s := range admitted {
		if err := DefaultAddressPolicy(netip.MustParseAddr(s)); err != nil {
			t.Errorf("DefaultAddressPolicy(%s) = %v, want nil", s, err)
		}
	}
	if err := DefaultAddressPolicy(netip.Addr{}); !errors.Is(err, ErrRefusedAddress) {
		t.Errorf("zero Addr: %v", err)
	}
}

func TestAddressErrorMessage(t *testing.T) {
	t.Parallel()
	err := DefaultAddressPolicy(netip.MustParseAddr("169.254.169.254"))
	want := "169.254.169.254 is a cloud metadata address: refused private or reserved address"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestMetadataOnlyPolicy(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254", "100.100.100.200", "0.0.0.0", "::", "224.0.0.1"} {
		if err := metadataOnlyPolicy(netip.MustParseAddr(s)); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("metadataOnlyPolicy(%s) = %v, want refusal", s, err)
		}
	}
	for _, s := range []string{"127.0.0.1", "10.0.0.1", "192.168.0.10", "::1", "8.8.8.8"} {
		if err := metadataOnlyPolicy(netip.MustParseAddr(s)); err != nil {
			t.Errorf("metadataOnlyPolicy(%s) = %v, want nil", s, err)
		}
	}
}

func TestDialControl(t *testing.T) {
	t.Parallel()
	control := dialControl(DefaultAddressPolicy)
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "[::ffff:127.0.0.1]:80", "10.1.2.3:8080", "[fe80::1%25eth0]:80", "garbage"} {
		if err := control("tcp", addr, nil); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("control(%q) = %v, want ErrRefusedAddress", addr, err)
		}
	}
	if err := control("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("control(public) = %v", err)
	}
	// A custom policy's own error still matches ErrRefusedAddress.
	custom := dialControl(func(netip.Addr) error { return errors.New("not on the list") })
	if err := custom("tcp", "93.184.216.34:443", nil); !errors.Is(err, ErrRefusedAddress) {
		t.Errorf("custom policy error = %v, want it to wrap ErrRefusedAddress", err)
	}
}

func TestParseInetAton(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" = invalid
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0x7f.0x0.0x0.0x1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"0", "0.0.0.0"},
		{"0x", "0.0.0.0"},
		{"10.0x10.1", "10.16.0.1"},
		{"169.254.43518", "169.254.169.254"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", ""},
		{"256.0.0.1", ""},
		{"1.2.3.256", ""},
		{"1.2.65536", ""},
		{"08.0.0.1", ""},
		{"1.2.3.4.5", ""},
		{"1..2", ""},
		{"0xg", ""},
	}
	for _, tt := range tests {
		got, ok := parseInetAton(tt.in)
		switch {
		case tt.want == "" && ok:
			t.Errorf("parseInetAton(%q) = %s, want invalid", tt.in, got)
		case tt.want != "" && (!ok || got.String() != tt.want):
			t.Errorf("parseInetAton(%q) = %s, %v, want %s", tt.in, got, ok, tt.want)
		}
	}
}

func TestCheckHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host string
		want error // nil, ErrRefusedAddress or ErrBadURL
	}{
		{"example.com", nil},
		{"127.0.0.1", nil}, // canonical literals are judged when dialling
		{"[::1]", nil},
		{"::1", nil},
		{"localhost", ErrRefusedAddress},
		{"LOCALHOST.", ErrRefusedAddress},
		{"api.localhost", ErrRefusedAddress},
		{"127.1", ErrRefusedAddress},
		{"0x7f000001", ErrRefusedAddress},
		{"2130706433", ErrRefusedAddress},
		{"0177.0.0.1", ErrRefusedAddress},
		{"127.0.0.1.", ErrRefusedAddress},
		{"127.000.000.001", ErrRefusedAddress},
		{"0", ErrRefusedAddress},
		{"169.254.43518", ErrRefusedAddress},
		{"0x08080808", ErrBadURL}, // public, but nobody writes a real link like that
		{"134744072", ErrBadURL},
		{"999.1.1.1", ErrBadURL},
		{"example.123", ErrBadURL},
		{"1example.com", nil},
		{"localhost.example.com", nil},
	}
	for _, tt := range tests {
		err := checkHost(tt.host, DefaultAddressPolicy)
		if tt.want == nil {
			if err != nil {
				t.Errorf("checkHost(%q) = %v, want nil", tt.host, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("checkHost(%q) = %v, want %v", tt.host, err, tt.want)
		}
	}
	// Without a policy (private addresses allowed) localhost is fine, and
	// odd IPv4 forms are still not links.
	if err := checkHost("localhost", nil); err != nil {
		t.Errorf("checkHost(localhost, nil) = %v", err)
	}
	if err := checkHost("127.1", metadataOnlyPolicy); !errors.Is(err, ErrBadURL) {
		t.Errorf("checkHost(127.1, metadataOnly) = %v, want ErrBadURL", err)
	}
}
