package kube

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// Kubernetes' protobuf encoding: a 4-byte magic, then a runtime.Unknown envelope (typeMeta = 1 with
// apiVersion = 1 and kind = 2; raw = 2; contentEncoding = 3; contentType = 4) whose raw bytes are the
// object's message. Field numbers are those of k8s.io/api's generated.proto files.
const protobufContentType = "application/vnd.kubernetes.protobuf"

var protobufMagic = []byte{'k', '8', 's', 0}

// unwrapProtobuf returns the apiVersion, kind and message bytes of an encoded object.
func unwrapProtobuf(b []byte) (apiVersion, kind string, raw []byte, err error) {
	if len(b) < 4 || string(b[:4]) != string(protobufMagic) {
		return "", "", nil, errors.New("provided value is not a Kubernetes protobuf object (missing magic)")
	}
	err = eachField(b[4:], func(num protowire.Number, v []byte) error {
		switch num {
		case 1:
			return eachField(v, func(n protowire.Number, s []byte) error {
				switch n {
				case 1:
					apiVersion = string(s)
				case 2:
					kind = string(s)
				}
				return nil
			})
		case 2:
			raw = v
		}
		return nil
	})
	return apiVersion, kind, raw, err
}

// wrapProtobuf encodes a message as a Kubernetes protobuf object of apiVersion and kind.
func wrapProtobuf(apiVersion, kind string, raw []byte) []byte {
	var tm []byte
	tm = appendString(tm, 1, apiVersion)
	tm = appendString(tm, 2, kind)
	out := append([]byte{}, protobufMagic...)
	out = appendBytes(out, 1, tm)
	out = appendBytes(out, 2, raw)
	return out
}

// eachField calls fn for every length-delimited field of a message (the only wire type the messages read
// here use for the fields that matter); other wire types are skipped.
func eachField(b []byte, fn func(num protowire.Number, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if typ != protowire.BytesType {
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			b = b[m:]
			continue
		}
		v, m := protowire.ConsumeBytes(b)
		if m < 0 {
			return protowire.ParseError(m)
		}
		if err := fn(num, v); err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendBool(b []byte, num protowire.Number, v bool) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, protowire.EncodeBool(v))
}

// decodeAccessReviewSpec reads the spec of a SelfSubjectAccessReview message (spec = 2): resource
// attributes (1: namespace 1, verb 2, group 3, version 4, resource 5, subresource 6, name 7) or
// non-resource attributes (2: path 1, verb 2).
func decodeAccessReviewSpec(raw []byte) (reviewSpec, error) {
	var s reviewSpec
	err := eachField(raw, func(num protowire.Number, spec []byte) error {
		if num != 2 {
			return nil
		}
		return eachField(spec, func(kind protowire.Number, attrs []byte) error {
			switch kind {
			case 1:
				ra := &resourceAttributes{}
				s.ResourceAttributes = ra
				return eachField(attrs, func(n protowire.Number, v []byte) error {
					field := map[protowire.Number]*string{1: &ra.Namespace, 2: &ra.Verb, 3: &ra.Group, 4: &ra.Version, 5: &ra.Resource, 6: &ra.Subresource, 7: &ra.Name}[n]
					if field != nil {
						*field = string(v)
					}
					return nil
				})
			case 2:
				na := &nonResourceAttributes{}
				s.NonResourceAttributes = na
				return eachField(attrs, func(n protowire.Number, v []byte) error {
					switch n {
					case 1:
						na.Path = string(v)
					case 2:
						na.Verb = string(v)
					}
					return nil
				})
			}
			return nil
		})
	})
	return s, err
}

// encodeAccessReview encodes a SelfSubjectAccessReview (metadata 1, spec 2, status 3: allowed 1,
// reason 2, evaluationError 3, denied 4).
func encodeAccessReview(s reviewSpec, d decision) []byte {
	var spec []byte
	if ra := s.ResourceAttributes; ra != nil {
		var a []byte
		for _, f := range []struct {
			n protowire.Number
			v string
		}{{1, ra.Namespace}, {2, ra.Verb}, {3, ra.Group}, {4, ra.Version}, {5, ra.Resource}, {6, ra.Subresource}, {7, ra.Name}} {
			a = appendString(a, f.n, f.v)
		}
		spec = appendBytes(spec, 1, a)
	}
	if na := s.NonResourceAttributes; na != nil {
		var a []byte
		a = appendString(a, 1, na.Path)
		a = appendString(a, 2, na.Verb)
		spec = appendBytes(spec, 2, a)
	}
	var status []byte
	status = appendBool(status, 1, d.Allowed)
	status = appendString(status, 2, d.Reason)
	status = appendString(status, 3, "")
	status = appendBool(status, 4, d.Denied)
	var msg []byte
	msg = appendBytes(msg, 1, nil)
	msg = appendBytes(msg, 2, spec)
	msg = appendBytes(msg, 3, status)
	return msg
}

// encodeSelfReview encodes a SelfSubjectReview (metadata 1, status 2: userInfo 1: username 1, uid 2,
// groups 3, extra 4 as map entries of key 1 and ExtraValue 2 with items 1).
func encodeSelfReview(u user) []byte {
	var info []byte
	info = appendString(info, 1, u.Name)
	info = appendString(info, 2, "")
	for _, g := range u.Groups {
		info = appendString(info, 3, g)
	}
	for k, vals := range userExtra(u) {
		var ev []byte
		for _, v := range vals {
			ev = appendString(ev, 1, v)
		}
		var entry []byte
		entry = appendString(entry, 1, k)
		entry = appendBytes(entry, 2, ev)
		info = appendBytes(info, 4, entry)
	}
	var status []byte
	status = appendBytes(status, 1, info)
	var msg []byte
	msg = appendBytes(msg, 1, nil)
	msg = appendBytes(msg, 2, status)
	return msg
}
