package engine

import "reflect"

// selectCase is one communication of a select statement the lowering
// rewrote (see lowerSelect): a receive, with the variables that take the
// value and whether it was sent, or a send of the value a variable holds.
type selectCase struct {
	dir reflect.SelectDir
	ch  reflect.Value
	// val points to the variable received into or sent from; ok to the
	// receive's second variable. Either may be the zero Value.
	val, ok reflect.Value
}

// selectRecv is a receive from ch into *into, and whether a value was
// sent into *ok (into and ok are pointers, or nil when not assigned).
func selectRecv(ch, into, ok any) selectCase {
	c := selectCase{dir: reflect.SelectRecv, ch: reflect.ValueOf(ch)}
	if into != nil {
		c.val = reflect.ValueOf(into)
	}
	if ok != nil {
		c.ok = reflect.ValueOf(ok)
	}
	return c
}

// selectSend is a send on ch of the value *from holds.
func selectSend(ch, from any) selectCase {
	return selectCase{dir: reflect.SelectSend, ch: reflect.ValueOf(ch), val: reflect.ValueOf(from)}
}

// selectOne runs a select statement: it takes one of cases as Go's
// select does (or the default, numbered len(cases), when hasDefault and
// none is ready), assigns what a receive took, and returns the case's
// number. A stopped run ends it with -1, which no case matches; the
// interpreter stops the code before its next step.
func (c *runControl) selectOne(hasDefault bool, cases ...selectCase) int {
	sc := make([]reflect.SelectCase, len(cases), len(cases)+2)
	for i, k := range cases {
		sc[i] = reflect.SelectCase{Dir: k.dir, Chan: k.ch}
		if k.dir == reflect.SelectSend {
			sc[i].Send = k.val.Elem()
		}
	}
	sc = append(sc, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(c.stopped())})
	if hasDefault {
		sc = append(sc, reflect.SelectCase{Dir: reflect.SelectDefault})
	}
	i, v, ok := reflect.Select(sc)
	switch {
	case i == len(cases):
		return -1
	case i > len(cases):
		return len(cases)
	}
	if k := cases[i]; k.dir == reflect.SelectRecv {
		if k.val.IsValid() {
			k.val.Elem().Set(v)
		}
		if k.ok.IsValid() {
			k.ok.Elem().SetBool(ok)
		}
	}
	return i
}
