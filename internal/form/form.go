// Package form writes application/x-www-form-urlencoded bodies the way the
// vendors' servers read them: dot notation with indexes for lists of objects
// (accounts[0].emailAddress=…), repeated keys for lists of scalars
// (ids=1&ids=2), keys in a fixed order, and time values written explicitly.
// oapi-codegen's runtime form marshalling writes accounts[0][emailAddress]
// and drops time.Time fields, so wrappers use this package with the
// generated …WithBody calls.
package form

import (
	"encoding"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// ContentType is the media type of an encoded body.
const ContentType = "application/x-www-form-urlencoded"

// Values is an ordered list of key/value pairs; keys may repeat.
type Values struct {
	pairs [][2]string
}

// Add appends key=value.
func (v *Values) Add(key, value string) { v.pairs = append(v.pairs, [2]string{key, value}) }

// Len is the number of pairs.
func (v *Values) Len() int { return len(v.pairs) }

// Get returns the first value for key.
func (v *Values) Get(key string) (string, bool) {
	for _, p := range v.pairs {
		if p[0] == key {
			return p[1], true
		}
	}
	return "", false
}

// Encode writes the pairs in order, each key and value query-escaped.
func (v *Values) Encode() string {
	var b strings.Builder
	for i, p := range v.pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(p[0]))
		b.WriteByte('=')
		b.WriteString(escape(p[1]))
	}
	return b.String()
}

// escape is url.QueryEscape except that the brackets and dots of indexed
// keys stay readable, as the vendors' examples write them.
func escape(s string) string {
	e := url.QueryEscape(s)
	if strings.Contains(e, "%5B") || strings.Contains(e, "%5D") {
		e = strings.NewReplacer("%5B", "[", "%5D", "]").Replace(e)
	}
	return e
}

// Reader returns the encoded body as a reader.
func (v *Values) Reader() *strings.Reader { return strings.NewReader(v.Encode()) }

// Marshal encodes a struct (or pointer to one) using `form` tags:
//
//	Email string    `form:"emailAddress"`         always written
//	Note  string    `form:"note,omitempty"`       skipped when zero
//	When  time.Time `form:"when,epochms"`         milliseconds since the epoch
//	When  time.Time `form:"when,rfc3339"`         RFC 3339 (the default for time.Time)
//	IDs   []string  `form:"ids"`                  ids=a&ids=b
//	Accs  []Account `form:"accounts"`             accounts[0].field=…
//	Inner Sub       `form:"inner"`                inner.field=…
//
// Fields without a tag are skipped. Pointers are followed; nil pointers are
// skipped. Values implementing encoding.TextMarshaler write their text.
func Marshal(v any) (*Values, error) {
	out := &Values{}
	if err := out.addStruct("", reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return out, nil
}

// Encode is Marshal followed by Values.Encode.
func Encode(v any) (string, error) {
	vals, err := Marshal(v)
	if err != nil {
		return "", err
	}
	return vals.Encode(), nil
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

func (v *Values) addStruct(prefix string, rv reflect.Value) error {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return fmt.Errorf("form: want a struct, got %s", rv.Kind())
	}
	rt := rv.Type()
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag, ok := f.Tag.Lookup("form")
		if !ok || tag == "-" || !f.IsExported() {
			continue
		}
		name, optsText, _ := strings.Cut(tag, ",")
		opts := map[string]bool{}
		for o := range strings.SplitSeq(optsText, ",") {
			opts[o] = true
		}
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		if err := v.addValue(key, rv.Field(i), opts); err != nil {
			return err
		}
	}
	return nil
}

func (v *Values) addValue(key string, fv reflect.Value, opts map[string]bool) error {
	if opts["omitempty"] && fv.IsZero() {
		return nil
	}
	for fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface {
		if fv.IsNil() {
			return nil
		}
		fv = fv.Elem()
	}
	switch {
	case fv.Type() == timeType:
		t := fv.Interface().(time.Time)
		if opts["epochms"] {
			v.Add(key, strconv.FormatInt(t.UnixMilli(), 10))
		} else {
			v.Add(key, t.Format(time.RFC3339))
		}
		return nil
	case fv.Type().Implements(textMarshalerType):
		text, err := fv.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return fmt.Errorf("form: %s: %w", key, err)
		}
		v.Add(key, string(text))
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		v.Add(key, fv.String())
	case reflect.Bool:
		v.Add(key, strconv.FormatBool(fv.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.Add(key, strconv.FormatInt(fv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.Add(key, strconv.FormatUint(fv.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		v.Add(key, strconv.FormatFloat(fv.Float(), 'f', -1, 64))
	case reflect.Slice, reflect.Array:
		for i := range fv.Len() {
			el := fv.Index(i)
			if isStructLike(el) {
				if err := v.addStruct(fmt.Sprintf("%s[%d]", key, i), el); err != nil {
					return err
				}
				continue
			}
			if err := v.addValue(key, el, nil); err != nil {
				return err
			}
		}
	case reflect.Struct:
		return v.addStruct(key, fv)
	default:
		return fmt.Errorf("form: %s: unsupported kind %s", key, fv.Kind())
	}
	return nil
}

func isStructLike(rv reflect.Value) bool {
	t := rv.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t != timeType && !t.Implements(textMarshalerType) && !reflect.PointerTo(t).Implements(textMarshalerType)
}
