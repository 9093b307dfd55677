package muscle

// MaxNameLen is the longest muscle name.
const MaxNameLen = 64

// ValidName reports whether s is a valid muscle name: 1 to 64 bytes of
// [A-Za-z0-9._-], not starting with '.' or '-'. Names appear in audit logs
// and console output, so nothing else is allowed.
func ValidName(s string) bool {
	if len(s) == 0 || len(s) > MaxNameLen || s[0] == '.' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// printable reports whether s is printable ASCII (0x20..0x7e), the rule for
// the provenance's free-text fields.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
