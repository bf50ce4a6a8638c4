using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Singularity.Verifier;

/// <summary>Opcode family: call, callvirt, newobj, ret, ldftn, ldvirtftn: signatures, accessibility, delegates, and what a call does to the ownership of its arguments.</summary>
internal sealed partial class MethodVerifier
{
    /// <summary>Checks and executes one instruction of this family; returns whether control falls through.</summary>
    private bool StepCalls(Instruction ins, State s, Code code)
    {
        var constrained = _prefixes[_cur].Constrained; bool tail = _prefixes[_cur].Tail;
        switch (code)
        {
            case Code.Call: case Code.Callvirt: case Code.Newobj:
                _callNeverReturns = false;
                DoCall(ins, s, code, constrained, tail);
                // The trusted runtime's failure calls end the process: nothing after them runs,
                // so what the path still owns cannot leak (the kernel reclaims the whole SIP).
                if (_callNeverReturns && !tail) return false;
                return true;

            case Code.Ret: DoRet(s); return false;

            case Code.Ldftn:
            {
                var mr = (MethodReference)ins.Operand;
                var md = _av.CheckMethodUse(_m, ins.Offset, mr);
                if (md.IsConstructor) throw Fail(Codes.BadCall, $"ldftn of constructor {Show(mr.DeclaringType)}::{md.Name}");
                if (md.IsAbstract) throw Fail(Codes.BadCall, $"ldftn of abstract method {md.Name} (it has no body to call)");
                if (!md.IsStatic && _av.IsByRefLike(mr.DeclaringType)) throw Fail(Codes.ByRefLikeOnHeap, $"ldftn of {md.Name}, an instance method of ref struct {Show(mr.DeclaringType)}: a delegate would hold its receiver on the GC heap");
                Push(s, new V { K = VK.Ftn, M = mr });
                return true;
            }
            case Code.Ldvirtftn:
            {
                var mr = (MethodReference)ins.Operand;
                var md = _av.CheckMethodUse(_m, ins.Offset, mr);
                var o = Pop(s);
                if (md.IsStatic || md.IsConstructor) throw Fail(Codes.BadCall, $"ldvirtftn of {(md.IsStatic ? "static method" : "constructor")} {md.Name}");
                if (_av.IsByRefLike(mr.DeclaringType)) throw Fail(Codes.ByRefLikeOnHeap, $"ldvirtftn of {md.Name}, a method of ref struct {Show(mr.DeclaringType)}: a delegate would hold its receiver on the GC heap");
                if (o.Is(VF.UninitThis)) throw Fail(Codes.Uninitialized, "ldvirtftn on 'this' before the base constructor ran");
                if (o.K != VK.Null && (o.K != VK.Ref || !_ts.IsAssignableRef(o.T, mr.DeclaringType))) throw Fail(Codes.CallSignature, $"ldvirtftn on {Show(o)}, not a {Show(mr.DeclaringType)}");
                CheckFamilyInstance(md, o, mr);
                // The pointer remembers the object it was looked up on: the delegate must bind that same object.
                Push(s, new V { K = VK.Ftn, M = mr, F = VF.Virtual, Id = o.Id });
                return true;
            }
            default: throw new InvalidOperationException($"{ins.OpCode.Name} is not in this opcode family (see Step)");
        }
    }

    private bool _callNeverReturns;

    private void DoCall(Instruction ins, State s, Code code, TypeReference constrained, bool tail)
    {
        var mr = (MethodReference)ins.Operand;
        var md = _av.CheckMethodUse(_m, ins.Offset, mr);
        if (mr.CallingConvention == MethodCallingConvention.VarArg) throw Fail(Codes.UnverifiableOpcode, "vararg call");
        _callNeverReturns = code != Code.Newobj && _tr.NeverReturns(md);
        bool newobj = code == Code.Newobj;
        if (newobj)
        {
            if (!md.IsConstructor || md.IsStatic) throw Fail(Codes.BadCall, $"newobj of {md.Name}, which is not an instance constructor");
            if (md.DeclaringType.IsAbstract) throw Fail(Codes.BadCall, $"newobj of abstract type {Show(mr.DeclaringType)}");
            CheckFamilyInstance(md, new V { K = VK.Ref, T = mr.DeclaringType }, mr);
        }
        else
        {
            if (code == Code.Callvirt && md.IsStatic) throw Fail(Codes.BadCall, $"callvirt of static method {md.Name}");
            if (code == Code.Call && md.IsAbstract) throw Fail(Codes.BadCall, $"non-virtual call of abstract method {md.Name}");
            if (md.IsConstructor && md.IsStatic) throw Fail(Codes.BadCall, $"call of the class constructor of {Show(mr.DeclaringType)}");
            if (md.IsConstructor && code == Code.Callvirt) throw Fail(Codes.BadCall, $"callvirt of constructor {Show(mr.DeclaringType)}::.ctor");
            // A value type's constructor may initialise any writable struct; a class's runs only in the constructor chain.
            if (md.IsConstructor && !md.DeclaringType.IsValueType && !IsCtorChain(md)) throw Fail(Codes.BadCall, $"direct call of constructor {Show(mr.DeclaringType)}::.ctor outside a constructor chain");
        }

        int np = mr.Parameters.Count;
        var args = new V[np];
        for (int i = np - 1; i >= 0; i--) args[i] = Pop(s);
        var types = new TypeReference[np];
        for (int i = 0; i < np; i++) types[i] = TypeSystem.Inflate(mr.Parameters[i].ParameterType, mr);

        // RuntimeHelpers.InitializeArray copies this assembly's compile-time data (ldtoken checked it) into the array:
        // the array's elements must be plain data, never references.
        if (np == 2 && md.Name == "InitializeArray" && _ts.Key(md.DeclaringType) == "System.Runtime.CompilerServices.RuntimeHelpers"
            && !(args[0].K == VK.Ref && TypeSystem.Strip(args[0].T) is ArrayType { IsVector: true } ia && FromType(ia.ElementType).K is VK.I4 or VK.I8 or VK.I or VK.F))
            throw Fail(Codes.Reflection, $"InitializeArray of {Show(args[0])}: compile-time data initialises arrays of numbers only");

        bool anyLocalRef = false;
        // Delegate construction: (object, ldftn/ldvirtftn method).
        if (newobj && _ts.IsDelegate(mr.DeclaringType) && np == 2)
        {
            CheckDelegate(s, mr, args[0], args[1]);
        }
        else
        {
            for (int i = 0; i < np; i++)
            {
                if (args[i].K == VK.Ftn && FromType(types[i]).K == VK.I) throw Fail(Codes.DelegateCtor, "a method pointer passed as a native int");
                Expect(args[i], types[i], Codes.CallSignature, $"argument {i + 1} of {mr.DeclaringType.Name}::{mr.Name}");
                if (args[i].K == VK.ByRef)
                {
                    anyLocalRef |= args[i].Is(VF.Local);
                    if (args[i].Is(VF.ReadOnly) && !IsInParam(md, i)) throw Fail(Codes.ByRefEscape, $"a readonly reference passed as writable ref argument {i + 1} of {mr.Name}");
                }
            }
        }

        V self = default;
        bool hasThis = mr.HasThis && !newobj;
        if (hasThis)
        {
            self = Pop(s);
            var dt = mr.DeclaringType;
            if (self.Is(VF.UninitThis))
            {
                if (!(md.IsConstructor && code == Code.Call && IsCtorChain(md))) throw Fail(Codes.Uninitialized, $"'this' used (call to {mr.Name}) before the base constructor ran");
                // The constructor of this very class or its base, as instantiated for 'this' (not another instantiation).
                if (!_ts.IsAssignableRef(self.T, dt)) throw Fail(Codes.CallSignature, $"constructor {Show(dt)}::.ctor called on 'this' of type {Show(self.T)}");
                s.ThisInit = true;
                for (int k = 0; k < s.N; k++) s.S[k].F &= ~VF.UninitThis;
            }
            else if (constrained != null)
            {
                if (self.K != VK.ByRef || !_ts.Same(self.T, constrained)) throw Fail(Codes.CallSignature, $"constrained. {Show(constrained)} with {Show(self)} as receiver");
                // Unless the ref struct declares the method itself, the call would box the receiver
                // (Object's ToString/Equals/GetHashCode, an interface method, a default implementation).
                if (_av.IsByRefLike(constrained) && !_ts.Same(mr.DeclaringType, constrained))
                    throw Fail(Codes.ByRefLikeOnHeap, $"constrained. {Show(constrained)} call of {Show(mr.DeclaringType)}::{mr.Name}, which the ref struct does not declare: the call would box it onto the GC heap");
                // A value type's own method gets the pointer itself: through a read-only reference it must not write
                // (an element of readonly. ldelema excepted: the location is writable, only its exact type was not checked).
                if (self.Is(VF.ReadOnly) && !self.Is(VF.ElementRO) && (_ts.IsValueType(constrained) || TypeSystem.IsGenericParam(constrained)) && !IsReadOnlyType(constrained))
                    throw Fail(Codes.ByRefEscape, $"constrained. {Show(constrained)} call of {mr.Name} through a readonly reference: the value type's method may write it");
            }
            else if (_ts.IsValueType(dt))
            {
                if (self.K != VK.ByRef || !_ts.Same(self.T, dt)) throw Fail(Codes.CallSignature, $"receiver of {dt.Name}::{mr.Name} must be a reference to {Show(dt)}, not {Show(self)}");
                if (self.Is(VF.ReadOnly) && (md.IsConstructor || !IsReadOnlyMember(md))) throw Fail(Codes.ByRefEscape, $"{mr.Name} may write through a readonly reference to its receiver");
                if (code == Code.Callvirt) throw Fail(Codes.BadCall, $"callvirt of {dt.Name}::{mr.Name}, a method of a value type (call it, or use constrained.)");
                anyLocalRef |= self.Is(VF.Local);
            }
            else
            {
                if (self.K == VK.Null) { }
                else if (self.K != VK.Ref || !_ts.IsAssignableRef(self.T, dt)) throw Fail(Codes.CallSignature, $"receiver of {dt.Name}::{mr.Name} is {Show(self)}, not a {Show(dt)}");
                // III.3.19: a non-virtual call of a virtual method skips the object's overrides, so it is made on 'this' only
                // (by value), or on a boxed value type, or of a method nothing can override.
                if (code == Code.Call && md.IsVirtual && !md.IsFinal && !md.DeclaringType.IsSealed && !self.Is(VF.This) && self.K == VK.Ref
                    && !_ts.IsValueType(self.T))
                    throw Fail(Codes.BadCall, $"non-virtual call of virtual method {mr.Name} on an object other than 'this' (it would skip the object's overrides)");
                // A constructor runs once, on its own new object: called directly only on the uninitialised 'this' (III.1.8.1.4).
                if (md.IsConstructor) throw Fail(Codes.BadCall, $"constructor {Show(dt)}::.ctor called on an object other than the uninitialised 'this'");
                CheckFamilyInstance(md, self, mr);
            }
        }
        if (tail && anyLocalRef) throw Fail(Codes.ByRefEscape, "tail. call passes a reference into the frame that the tail call discards");

        // A call that may throw sends what the path owns into the finally around it (ExceptionRegions.cs):
        // a generated send that throws (a protocol violation) has sent nothing, so its arguments
        // are still this path's; user code of this module has taken what it claims.
        bool generatedSend = hasThis && md.Name.StartsWith("Send", StringComparison.Ordinal) && _tr.IsEndpoint(md.DeclaringType) && !IsRuntimeAssembly(md);
        bool userCode = md.Module == _m.Module;
        if (generatedSend && !_dead) FlowExceptional(s);

        // Ownership: receivers and arguments are borrowed unless the callee claims them.
        if (hasThis && self.Track != 0)
        {
            bool disposes = md.Name == Singularity.Ownership.TrackedTypes.Dispose && md.Parameters.Count == 0 && _ts.Key(md.DeclaringType) == Singularity.Ownership.TrackedTypes.DisposableInterface;
            if (_tr.ClaimsThis(md) || disposes) Transfer(s, self.Track, $"{mr.Name}() ends ownership"); else Use(s, self.Track, $"{mr.Name}() on it");
        }
        var outs = new List<(V, TypeReference, int)>();
        for (int i = 0; i < np; i++)
        {
            var a = args[i];
            var pt = TypeSystem.Strip(types[i]);
            if (pt is ByReferenceType brt && _tr.IsTracked(brt.ElementType) && a.K == VK.ByRef)
            {
                if (md.Parameters[i].IsOut) outs.Add((a, brt.ElementType, i));
                else Use(s, a.Track, $"passed by reference to {mr.Name}");
                continue;
            }
            if (a.Track == 0) continue;
            if (_tr.ClaimsParameter(md, i)) Transfer(s, a.Track, $"passed to {mr.Name}, which claims it");
            else Use(s, a.Track, $"passed to {mr.Name}");
        }
        if (userCode && !generatedSend && !_dead) FlowExceptional(s);
        // A receive (RecvX): its result says whether its tracked out values hold anything (Message)
        // or are null (Conditions.cs); the test of an older result of this call means nothing now.
        int recvGroup = 0;
        if (outs.Count > 0 && hasThis && md.Name.StartsWith("Recv", StringComparison.Ordinal) && _tr.IsEndpoint(md.DeclaringType)
            && _ts.Key(TypeSystem.Strip(md.ReturnType)) == Singularity.Ownership.TrackedTypes.Namespace + ".ReceiveResult")
        {
            recvGroup = (_ins[_cur].Offset + 1) << 4;
            _recvGroups.Add(recvGroup);
            ForgetTests(s, recvGroup);
        }
        foreach (var (a, et, i) in outs)
        {
            int id = NewTrack(s, 1 + i, et);
            if (a.Home > 0) { int was = s.L[a.Home - 1].Track; s.L[a.Home - 1].Track = id; if (was != id) Dropped(s, was, $"local {a.Home - 1} receives another value from {mr.Name}"); }
            else if (a.Home == CallerHome) s.Own[id] = Transferred;
            else if (a.Home < 0) { int was = s.A[-a.Home - 1].Track; s.A[-a.Home - 1].Track = id; if (was != id) Dropped(s, was, $"argument {-a.Home - 1} receives another value from {mr.Name}"); }
            else if (a.Is(VF.Local)) s.Own[id] = Transferred;
            else { Report(Codes.StoredInHeap, $"a tracked {Show(et)} received into a GC object's field (keep it in a TRef)"); s.Own[id] = Transferred; }
        }

        if (newobj)
        {
            var t = mr.DeclaringType;
            var v = FromType(t);
            if (v.K == VK.Ref && _tr.IsTracked(t)) v.Track = NewTrack(s, 0, t);
            if (v.K == VK.Val && _tr.IsTracked(t)) v.Track = NewTrack(s, 0, t);
            Push(s, v);
            return;
        }
        var rt = TypeSystem.Inflate(mr.ReturnType, mr);
        if (TypeSystem.Strip(rt).FullName == "System.Void") return;
        var r = FromType(rt);
        if (r.K == VK.ByRef)
        {
            if (anyLocalRef) r.F |= VF.Local;
            if (ReturnsReadOnly(md)) r.F |= VF.ReadOnly;
        }
        if (IsTrackedSlot(r)) r.Track = NewTrack(s, 0, rt);
        if (recvGroup != 0 && r.K == VK.I4) { r.F |= VF.NullTest | VF.RawResult; r.Track = recvGroup; }
        // IsNull of a tracked value: the branch on it tells where the value is null (nothing to own).
        if (hasThis && self.Track != 0 && md.Name == "get_IsNull" && r.K == VK.I4) { r.F |= VF.NullTest; r.Track = self.Track; }
        Push(s, r);
    }

    private static bool IsRuntimeAssembly(MethodDefinition md) => md.Module.Assembly?.Name.Name is "Singularity.Runtime" or "Singularity.Corlib";

    private bool IsCtorChain(MethodDefinition callee)
    {
        if (!_m.IsConstructor || _m.IsStatic) return false;
        if (callee.DeclaringType == _m.DeclaringType) return true;
        var b = _m.DeclaringType.BaseType;
        return b != null && _ts.Same(_ts.Resolve(b), callee.DeclaringType);
    }

    private static bool IsInParam(MethodDefinition md, int i)
    {
        var p = md.Parameters[i];
        return p.IsIn || TypeSystem.HasAttribute(p, "System.Runtime.CompilerServices.IsReadOnlyAttribute") || TypeSystem.HasModReq(p.ParameterType, "System.Runtime.InteropServices.InAttribute")
            || TypeSystem.HasAttribute(p, "System.Runtime.CompilerServices.RequiresLocationAttribute");
    }

    private bool IsReadOnlyType(TypeReference t)
    {
        if (TypeSystem.IsGenericParam(t)) return false;
        var d = _ts.Resolve(t);
        return d.IsPrimitive || d.IsEnum || TypeSystem.HasAttribute(d, "System.Runtime.CompilerServices.IsReadOnlyAttribute");
    }

    private static bool ReturnsReadOnly(MethodDefinition md)
        => TypeSystem.HasAttribute(md.MethodReturnType, "System.Runtime.CompilerServices.IsReadOnlyAttribute") || TypeSystem.HasModReq(md.ReturnType, "System.Runtime.InteropServices.InAttribute");

    private static bool IsReadOnlyMember(MethodDefinition md)
        => TypeSystem.HasAttribute(md, "System.Runtime.CompilerServices.IsReadOnlyAttribute") || TypeSystem.HasAttribute(md.DeclaringType, "System.Runtime.CompilerServices.IsReadOnlyAttribute") || md.DeclaringType.IsPrimitive || md.DeclaringType.IsEnum;

    private void CheckDelegate(State s, MethodReference ctor, V obj, V fn)
    {
        if (fn.K != VK.Ftn) throw Fail(Codes.DelegateCtor, "a delegate is constructed without ldftn/ldvirtftn immediately before");
        if (fn.M == null) throw Fail(Codes.DelegateCtor, "a delegate is constructed from function pointers of different methods merged at a join");
        // III.1.8.1.5: the sequences ldftn; newobj and dup; ldvirtftn; newobj, with no branch into them.
        int prev = _cur - 1;
        bool virt = fn.Is(VF.Virtual);
        if (prev < 0 || _ins[prev].OpCode.Code != (virt ? Code.Ldvirtftn : Code.Ldftn)) throw Fail(Codes.DelegateCtor, "ldftn/ldvirtftn must immediately precede the delegate's newobj");
        if (virt && (prev < 1 || _ins[prev - 1].OpCode.Code != Code.Dup)) throw Fail(Codes.DelegateCtor, "ldvirtftn for a delegate must follow dup of the target object");
        if (_join[_cur] || (virt && _join[prev])) throw Fail(Codes.DelegateCtor, "a branch target inside the delegate construction sequence (ldftn/dup; ldvirtftn; newobj)");
        // The method was looked up on the very object the delegate binds (by value, not by type).
        if (virt && (fn.Id == 0 || obj.Id != fn.Id)) throw Fail(Codes.DelegateCtor, "the delegate's target is not the object its method was looked up on (ldvirtftn)");
        var target = fn.M;
        var td = _ts.Resolve(target);
        var invoke = _ts.Resolve(ctor.DeclaringType).Methods.FirstOrDefault(x => x.Name == "Invoke");
        if (invoke == null) throw Fail(Codes.DelegateCtor, $"{Show(ctor.DeclaringType)} has no Invoke method");
        var dArgs = ctor.DeclaringType as GenericInstanceType;
        if (invoke.Parameters.Count != target.Parameters.Count) throw Fail(Codes.DelegateCtor, $"{target.Name} does not match the signature of {Show(ctor.DeclaringType)}");
        for (int i = 0; i < invoke.Parameters.Count; i++)
        {
            var dp = TypeSystem.Subst(invoke.Parameters[i].ParameterType, dArgs, null);
            var mp = TypeSystem.Inflate(target.Parameters[i].ParameterType, target);
            if (!_ts.Same(dp, mp) && !(FromType(dp).K == VK.Ref && FromType(mp).K == VK.Ref && _ts.IsAssignableRef(dp, mp)))
                throw Fail(Codes.DelegateCtor, $"parameter {i + 1} of {target.Name} ({Show(mp)}) does not match {Show(ctor.DeclaringType)} ({Show(dp)})");
            // Invoke's callers may pass read-only references where Invoke takes them read-only: the method must not write them.
            if (TypeSystem.Strip(dp) is ByReferenceType && IsInParam(invoke, i) && !IsInParam(td, i))
                throw Fail(Codes.DelegateCtor, $"parameter {i + 1} of {target.Name} is a writable reference where {Show(ctor.DeclaringType)} passes a read-only one");
        }
        var dr = TypeSystem.Subst(invoke.ReturnType, dArgs, null);
        var mrt = TypeSystem.Inflate(target.ReturnType, target);
        if (!_ts.Same(dr, mrt) && !(FromType(dr).K == VK.Ref && FromType(mrt).K == VK.Ref && _ts.IsAssignableRef(mrt, dr)))
            throw Fail(Codes.DelegateCtor, $"return type of {target.Name} does not match {Show(ctor.DeclaringType)}");
        if (TypeSystem.Strip(mrt) is ByReferenceType && ReturnsReadOnly(td) && !ReturnsReadOnly(invoke))
            throw Fail(Codes.DelegateCtor, $"{target.Name} returns a read-only reference where {Show(ctor.DeclaringType)} returns a writable one");
        if (td.IsStatic)
        {
            if (obj.K != VK.Null) throw Fail(Codes.DelegateCtor, "a delegate to a static method must have a null target");
        }
        else
        {
            if (_ts.IsValueType(target.DeclaringType)) throw Fail(Codes.DelegateCtor, "a delegate to an instance method of a value type");
            if (obj.K != VK.Null && (obj.K != VK.Ref || obj.Is(VF.UninitThis) || !_ts.IsAssignableRef(obj.T, target.DeclaringType)))
                throw Fail(Codes.DelegateCtor, $"delegate target {Show(obj)} is not a {Show(target.DeclaringType)}");
            // III.1.8.1.5.2: ldftn of a virtual method skips its overrides, so it binds 'this' only (or a method nothing overrides).
            if (!virt && td.IsVirtual && !td.IsFinal && !td.DeclaringType.IsSealed && !obj.Is(VF.This) && obj.K != VK.Null)
                throw Fail(Codes.DelegateCtor, $"ldftn of virtual method {td.Name} bound to an object other than 'this' (it would skip the object's overrides; use dup; ldvirtftn)");
            if (!virt) CheckFamilyInstance(td, obj, target);
            if (IsTrackedSlot(obj)) { Report(Codes.StoredInHeap, "a tracked value captured by a delegate (a GC object)"); Transfer(s, obj.Track, "captured"); }
        }
    }

    private void DoRet(State s)
    {
        if (_regions[_cur].Length > 0) throw Fail(Codes.ExceptionRegion, "ret inside a protected region or handler (use leave)");
        var rt = _m.ReturnType;
        int except = 0;
        if (TypeSystem.Strip(rt).FullName == "System.Void")
        {
            if (s.N != 0) throw Fail(Codes.ReturnType, $"ret with {s.N} value(s) on the stack from a void method");
        }
        else
        {
            if (s.N != 1) throw Fail(Codes.ReturnType, $"ret needs exactly the return value on the stack, found {s.N} slot(s)");
            var v = s.S[0];
            Expect(v, rt, Codes.ReturnType, "return value");
            if (v.K == VK.ByRef)
            {
                if (v.Is(VF.Local)) throw Fail(Codes.ByRefEscape, "returns a reference to a local, an argument or this method's frame");
                if (v.Is(VF.ReadOnly) && !ReturnsReadOnly(_m))
                    throw Fail(Codes.ByRefEscape, "returns a readonly reference as a writable one");
            }
            if (IsTrackedSlot(v) && v.Track != 0) { Transfer(s, v.Track, "returned"); except = v.Track; }
        }
        if (_ctorOfClass && !s.ThisInit) throw Fail(Codes.Uninitialized, "constructor returns without calling a base or this constructor");
        CheckLeaks(s, except, "return");
    }
}
