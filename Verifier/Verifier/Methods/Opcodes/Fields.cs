using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: ldfld, ldflda, stfld, ldsfld, ldsflda, stsfld: field access, readonly and family rules, tracked fields.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepFields(Instruction ins, State s, Code code)
    {
        switch (code)
        {
            case Code.Ldfld: case Code.Ldflda: case Code.Stfld: case Code.Ldsfld: case Code.Ldsflda: case Code.Stsfld:
                DoField(ins, s, code);
                return true;
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private void DoField(Instruction ins, State s, Code code)
    {
        var fr = (FieldReference)ins.Operand;
        var fd = _av.CheckFieldUse(_m, ins.Offset, fr);
        var ft = TypeSystem.Inflate(fr.FieldType, fr);
        bool isStatic = code is Code.Ldsfld or Code.Ldsflda or Code.Stsfld;
        if (fd.IsStatic != isStatic) throw Fail(Codes.FieldAccess, $"{ins.OpCode.Name} on {(fd.IsStatic ? "static" : "instance")} field {fd.Name}");
        bool inOwnCtor = fd.DeclaringType == _m.DeclaringType && _m.IsConstructor && _m.IsStatic == fd.IsStatic;

        if (isStatic)
        {
            if (code == Code.Stsfld)
            {
                var v = Pop(s);
                Expect(v, ft, Codes.FieldAccess, $"stsfld {fd.Name}");
                if (fd.IsInitOnly && !inOwnCtor) throw Fail(Codes.InitOnlyWrite, $"write to readonly static field {fd.Name} outside its type's static constructor");
                if (IsTrackedSlot(v)) { Report(Codes.StoredInHeap, $"a tracked {Show(v)} is stored in static field {fd.Name}"); Transfer(s, v.Track, "stored"); }
                return;
            }
            if (code == Code.Ldsflda)
            {
                var f = VF.None;
                if (fd.IsInitOnly && !inOwnCtor) f |= VF.ReadOnly;
                Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(ft), F = f });
                return;
            }
            Push(s, ft);
            return;
        }

        var declType = fr.DeclaringType;
        bool declIsValue = _ts.IsValueType(declType);
        if (code == Code.Stfld)
        {
            var v = Pop(s);
            var o = Pop(s);
            CheckFieldObject(o, declType, declIsValue, fd, allowUninitThis: fd.DeclaringType == _m.DeclaringType, allowValue: false);
            CheckFamilyInstance(fd, o, fr);
            Expect(v, ft, Codes.FieldAccess, $"stfld {fd.Name}");
            if (fd.IsInitOnly && !(inOwnCtor && (o.K == VK.ByRef ? o.Home == -1 : IsThis(o)))) throw Fail(Codes.InitOnlyWrite, $"write to readonly field {fd.Name} outside its constructor");
            if (o.K == VK.ByRef && o.Is(VF.ReadOnly)) throw Fail(Codes.ByRefEscape, $"stfld {fd.Name} through a readonly reference");
            if (v.K == VK.ByRef) throw Fail(Codes.ByRefField, $"a reference stored in field {fd.Name}");
            if (IsTrackedSlot(v) || _tr.IsTracked(ft))
            {
                if (v.K == VK.Null || (v.K == VK.Val && v.Track == 0 && !_tr.IsTracked(v.T))) return;
                if (!declIsValue && !_tr.IsTRef(declType)) { Report(Codes.StoredInHeap, $"a tracked {Show(ft)} is stored in field {fd.Name} of class {Show(declType)} (keep it in a TRef)"); Transfer(s, v.Track, "stored"); }
                else Transfer(s, v.Track, $"stored in field {fd.Name}");
            }
            return;
        }
        var obj = Pop(s);
        CheckFieldObject(obj, declType, declIsValue, fd, allowUninitThis: false, allowValue: code == Code.Ldfld);
        CheckFamilyInstance(fd, obj, fr);
        if (code == Code.Ldflda)
        {
            // An address needs an object or an address: a struct value on the stack is a copy that dies with the instruction.
            if (obj.K == VK.Val) throw Fail(Codes.FieldAccess, $"ldflda {fd.Name} on a {Show(obj)} value, not an address");
            var f = VF.None;
            if (obj.K == VK.ByRef) { f |= obj.F & (VF.Local | VF.ReadOnly); }
            if (fd.IsInitOnly && !(inOwnCtor && (obj.K == VK.ByRef ? obj.Home == -1 : IsThis(obj)))) f |= VF.ReadOnly;
            Push(s, new V { K = VK.ByRef, T = TypeSystem.Strip(ft), F = f });
            return;
        }
        Push(s, ft);
    }

    /// <summary>Is <paramref name="v"/> this method's own 'this' (by value: ldarg.0, not another object of its class)?</summary>
    private bool IsThis(V v) => _m.HasThis && v.K == VK.Ref && (v.Is(VF.This) || v.Is(VF.UninitThis));

    private void CheckFieldObject(V o, TypeReference declType, bool declIsValue, FieldDefinition fd, bool allowUninitThis, bool allowValue)
    {
        if (o.Is(VF.UninitThis) && !allowUninitThis) throw Fail(Codes.Uninitialized, $"field {fd.Name} read from 'this' before the base constructor ran");
        // ldflda and stfld need the object's location (III.4.11, III.4.28): a struct value on the stack is a copy that dies with the frame.
        if (o.K == VK.Val && !allowValue) throw Fail(Codes.FieldAccess, $"{OpName()} {fd.Name} on a {Show(o)} value (it needs an object reference or a managed pointer)");
        switch (o.K)
        {
            case VK.Ref:
                if (declIsValue) { if (TypeSystem.Strip(o.T) is not GenericParameter && !_ts.Same(o.T, declType)) throw Fail(Codes.FieldAccess, $"field {fd.Name} of {Show(declType)} accessed on {Show(o)}"); return; }
                if (!_ts.IsAssignableRef(o.T, declType)) throw Fail(Codes.FieldAccess, $"field {fd.Name} of {Show(declType)} accessed on {Show(o)}");
                return;
            case VK.Null: return;
            case VK.ByRef:
                // A managed pointer to a struct; a pointer to a reference points at the reference, not at the object's fields.
                if (!declIsValue || !_ts.Same(o.T, declType)) throw Fail(Codes.FieldAccess, $"field {fd.Name} of {Show(declType)} accessed through {Show(o)}");
                return;
            case VK.Val:
                if (!_ts.Same(o.T, declType)) throw Fail(Codes.FieldAccess, $"field {fd.Name} of {Show(declType)} accessed on {Show(o)}");
                return;
            default:
                throw Fail(o.K == VK.I ? Codes.UnverifiableOpcode : Codes.FieldAccess, $"field {fd.Name} accessed on {Show(o)}");
        }
    }

    /// <summary>
    /// Family access through an instance (I.8.5.3.2): a protected instance member that this class
    /// reaches only as a subclass is used through an instance of this class (or a subclass of it),
    /// never through another branch of the hierarchy.
    /// </summary>
    private void CheckFamilyInstance(IMemberDefinition member, V obj, MemberReference through)
    {
        if (obj.K == VK.Null || obj.Is(VF.This) || obj.Is(VF.UninitThis) || obj.T == null) return;
        var via = _av.FamilyAccessVia(member, _m.DeclaringType);
        if (via == null) return;
        foreach (var c in via) if (_ts.IsAssignableRef(obj.T, c)) return;
        Report(Codes.Inaccessible, $"protected member {AssemblyVerifier.TypeName(member.DeclaringType)}::{member.Name} used through a {Show(obj)}, which is not {AssemblyVerifier.TypeName(_m.DeclaringType)} or derived from it");
    }
}
