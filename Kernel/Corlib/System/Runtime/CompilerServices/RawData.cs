namespace System.Runtime.CompilerServices
{
    // ilc's unboxing thunks for shared generic structs view a box as this class to find where
    // the value starts (the field right after the MethodTable pointer). Internal: no one makes one.
    internal class RawData
    {
        public byte Data;
    }
}
