using System.Buffers.Binary;
using System.Text;

namespace ServiceHub.Benchmarks.Circuits;

/// <summary>
/// The page as a browser holds it for one circuit: the logical tree blazor.web.js builds from the server's render batches
/// (components as containers, elements with their attributes and event handler ids, text, markup). Enough to find an element
/// by its data-testid, read its text and learn which handler id a click or change goes to — no layout, no script.
/// Not thread-safe: the circuit applies batches and queries under one lock.
/// </summary>
public sealed class RenderTree
{
    private readonly Dictionary<int, ComponentNode> _components = [];
    private readonly List<int> _roots = [];

    public int ComponentCount => _components.Count;

    /// <summary>A root component the page attaches (the head outlet, the routes): the content the user sees, in attachment order.</summary>
    public void AttachRoot(int componentId)
    {
        if (!_roots.Contains(componentId)) _roots.Add(componentId);
        GetOrCreate(componentId);
    }

    /// <summary>Applies one render batch (the binary format of the server's RenderBatchWriter).</summary>
    public void Apply(ReadOnlySpan<byte> data)
    {
        var batch = new Batch(data);
        var frames = batch.ReferenceFrames();
        foreach (var (componentId, edits) in batch.UpdatedComponents())
            ApplyEdits(GetOrCreate(componentId), edits, frames);
        foreach (var id in batch.DisposedComponentIds()) _components.Remove(id);
    }

    private ComponentNode GetOrCreate(int id)
    {
        if (!_components.TryGetValue(id, out var c)) _components[id] = c = new ComponentNode(id);
        return c;
    }

    // ---- queries -----------------------------------------------------------------------------------------------------------

    /// <summary>Every element of the page in document order.</summary>
    public IEnumerable<ElementNode> Elements()
    {
        foreach (var root in Roots())
            foreach (var e in Descendants(root))
                yield return e;
    }

    public ElementNode? ByTestId(string testId) => Elements().FirstOrDefault(e => e.Attr("data-testid") == testId);

    public IEnumerable<ElementNode> AllByTestId(string testId) => Elements().Where(e => e.Attr("data-testid") == testId);

    private IEnumerable<ComponentNode> Roots() =>
        _roots.Count > 0
            ? _roots.Where(_components.ContainsKey).Select(id => _components[id])
            : _components.Values.Where(c => c.Parent is null).OrderBy(c => c.Id);

    public static IEnumerable<ElementNode> Descendants(Container node)
    {
        foreach (var child in node.Children)
        {
            if (child is ElementNode e) yield return e;
            if (child is Container c)
                foreach (var d in Descendants(c))
                    yield return d;
        }
    }

    /// <summary>The text a user reads inside <paramref name="node"/> (markup included as its source).</summary>
    public static string Text(Node node)
    {
        var sb = new StringBuilder();
        AppendText(node, sb);
        return sb.ToString();
    }

    private static void AppendText(Node node, StringBuilder sb)
    {
        switch (node)
        {
            case TextNode t: sb.Append(t.Text); break;
            case MarkupNode m: sb.Append(m.Markup); break;
            case Container c: foreach (var child in c.Children) AppendText(child, sb); break;
        }
    }

    // ---- applying edits (BrowserRenderer.applyEdits) -------------------------------------------------------------------------

    private enum EditType { PrependFrame = 1, RemoveFrame = 2, SetAttribute = 3, RemoveAttribute = 4, UpdateText = 5, StepIn = 6, StepOut = 7, UpdateMarkup = 8, PermutationListEntry = 9, PermutationListEnd = 10 }

    private enum FrameType { Element = 1, Text = 2, Attribute = 3, Component = 4, Region = 5, ElementReferenceCapture = 6, Markup = 8 }

    private void ApplyEdits(ComponentNode component, List<Edit> edits, Frame[] frames)
    {
        Container parent = component;
        var depth = 0;
        List<(int From, int To)>? permutation = null;
        foreach (var edit in edits)
        {
            switch ((EditType)edit.Type)
            {
                case EditType.PrependFrame:
                    InsertFrame(parent, edit.SiblingIndex, frames, edit.FrameIndex);
                    break;
                case EditType.RemoveFrame:
                    parent.RemoveAt(edit.SiblingIndex);
                    break;
                case EditType.SetAttribute:
                    ApplyAttribute((ElementNode)parent.Children[edit.SiblingIndex], frames[edit.FrameIndex]);
                    break;
                case EditType.RemoveAttribute:
                    var element = (ElementNode)parent.Children[edit.SiblingIndex];
                    element.Attributes.Remove(edit.RemovedAttributeName!);
                    if (edit.RemovedAttributeName!.StartsWith("on", StringComparison.Ordinal)) element.Events.Remove(edit.RemovedAttributeName[2..]);
                    break;
                case EditType.UpdateText:
                    ((TextNode)parent.Children[edit.SiblingIndex]).Text = frames[edit.FrameIndex].S1 ?? "";
                    break;
                case EditType.UpdateMarkup:
                    parent.RemoveAt(edit.SiblingIndex);
                    parent.Insert(edit.SiblingIndex, new MarkupNode(frames[edit.FrameIndex].S1 ?? ""));
                    break;
                case EditType.StepIn:
                    parent = (Container)parent.Children[edit.SiblingIndex];
                    depth++;
                    break;
                case EditType.StepOut:
                    parent = parent.Parent ?? throw new InvalidOperationException("step out of the root");
                    depth--;
                    break;
                case EditType.PermutationListEntry:
                    (permutation ??= []).Add((edit.SiblingIndex, edit.FrameIndex)); // FrameIndex carries MoveToSiblingIndex here
                    break;
                case EditType.PermutationListEnd:
                    var moved = permutation!.Select(p => parent.Children[p.From]).ToList();
                    for (var i = 0; i < permutation!.Count; i++) parent.Children[permutation[i].To] = moved[i];
                    permutation.Clear();
                    break;
                default:
                    throw new InvalidOperationException($"unknown edit type {edit.Type}");
            }
        }
        if (depth != 0) throw new InvalidOperationException("edits did not step back out");
    }

    /// <summary>Inserts the frame's nodes at <paramref name="childIndex"/>; answers how many logical children it added.</summary>
    private int InsertFrame(Container parent, int childIndex, Frame[] frames, int frameIndex)
    {
        var frame = frames[frameIndex];
        switch ((FrameType)frame.Type)
        {
            case FrameType.Element:
                var element = new ElementNode(frame.S1 ?? "");
                var end = frameIndex + frame.SubtreeLength;
                var i = frameIndex + 1;
                for (; i < end && frames[i].Type == (int)FrameType.Attribute; i++) ApplyAttribute(element, frames[i]);
                parent.Insert(childIndex, element);
                InsertFrameRange(element, 0, frames, i, end);
                return 1;
            case FrameType.Text:
                parent.Insert(childIndex, new TextNode(frame.S1 ?? ""));
                return 1;
            case FrameType.Component:
                var component = GetOrCreate(frame.ComponentId);
                component.Parent?.Children.Remove(component);
                parent.Insert(childIndex, component);
                return 1;
            case FrameType.Region:
                return InsertFrameRange(parent, childIndex, frames, frameIndex + 1, frameIndex + frame.SubtreeLength);
            case FrameType.Markup:
                parent.Insert(childIndex, new MarkupNode(frame.S1 ?? ""));
                return 1;
            default:
                return 0; // reference captures, render modes, named events: no node in the page
        }
    }

    private int InsertFrameRange(Container parent, int childIndex, Frame[] frames, int start, int endExclusive)
    {
        var first = childIndex;
        for (var i = start; i < endExclusive; i += frames[i].SubtreeLength)
            childIndex += InsertFrame(parent, childIndex, frames, i);
        return childIndex - first;
    }

    private static void ApplyAttribute(ElementNode element, Frame attribute)
    {
        var name = attribute.S1 ?? "";
        if (attribute.EventHandlerId != 0)
        {
            element.Events[name.StartsWith("on", StringComparison.Ordinal) ? name[2..] : name] = attribute.EventHandlerId;
            return;
        }
        if (attribute.S2 is null) element.Attributes.Remove(name); // false booleans arrive as null
        else element.Attributes[name] = attribute.S2;
    }

    // ---- the binary batch ----------------------------------------------------------------------------------------------------

    private readonly record struct Edit(int Type, int SiblingIndex, int FrameIndex, string? RemovedAttributeName);

    private readonly record struct Frame(int Type, int SubtreeLength, string? S1, string? S2, ulong EventHandlerId, int ComponentId);

    /// <summary>
    /// The five sections of a render batch, located by the offsets at its end: updated components (each with its edits),
    /// reference frames (20 bytes each), disposed component ids, disposed event handler ids, and the string table.
    /// </summary>
    private readonly ref struct Batch
    {
        private const int FrameSize = 20;
        private readonly ReadOnlySpan<byte> _data;
        private readonly int _updated, _frames, _disposedComponents;
        private readonly string[] _strings;

        public Batch(ReadOnlySpan<byte> data)
        {
            _data = data;
            var end = data.Length - 20;
            _updated = Int(end);
            _frames = Int(end + 4);
            _disposedComponents = Int(end + 8);
            var stringsAt = Int(end + 16);
            _strings = new string[(end - stringsAt) / 4];
            for (var i = 0; i < _strings.Length; i++)
            {
                var at = Int(stringsAt + 4 * i);
                var length = ReadLeb128(data, at, out var size);
                _strings[i] = Encoding.UTF8.GetString(data.Slice(at + size, length));
            }
        }

        private int Int(int at) => BinaryPrimitives.ReadInt32LittleEndian(_data.Slice(at, 4));

        private string? String(int at) => Int(at) is var i and >= 0 ? _strings[i] : null;

        public List<(int ComponentId, List<Edit> Edits)> UpdatedComponents()
        {
            var count = Int(_updated);
            var result = new List<(int, List<Edit>)>(count);
            for (var c = 0; c < count; c++)
            {
                var at = Int(_updated + 4 + 4 * c);
                var edits = new List<Edit>(Int(at + 4));
                for (var e = 0; e < edits.Capacity; e++)
                {
                    var x = at + 8 + 16 * e;
                    edits.Add(new Edit(Int(x), Int(x + 4), Int(x + 8), String(x + 12)));
                }
                result.Add((Int(at), edits));
            }
            return result;
        }

        public Frame[] ReferenceFrames()
        {
            var frames = new Frame[Int(_frames)];
            for (var i = 0; i < frames.Length; i++)
            {
                var x = _frames + 4 + FrameSize * i;
                frames[i] = (FrameType)Int(x) switch
                {
                    FrameType.Element => new Frame(Int(x), Int(x + 4), String(x + 8), null, 0, 0),
                    FrameType.Text or FrameType.Markup or FrameType.ElementReferenceCapture => new Frame(Int(x), 1, String(x + 4), null, 0, 0),
                    FrameType.Attribute => new Frame(Int(x), 1, String(x + 4), String(x + 8), BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(x + 12, 8)), 0),
                    FrameType.Component => new Frame(Int(x), Int(x + 4), null, null, 0, Int(x + 8)),
                    FrameType.Region => new Frame(Int(x), Int(x + 4), null, null, 0, 0),
                    _ => new Frame(Int(x), 1, null, null, 0, 0),
                };
            }
            return frames;
        }

        public int[] DisposedComponentIds()
        {
            var ids = new int[Int(_disposedComponents)];
            for (var i = 0; i < ids.Length; i++) ids[i] = Int(_disposedComponents + 4 + 4 * i);
            return ids;
        }

        private static int ReadLeb128(ReadOnlySpan<byte> data, int at, out int size)
        {
            int result = 0, shift = 0;
            size = 0;
            byte b;
            do
            {
                b = data[at + size++];
                result |= (b & 0x7f) << shift;
                shift += 7;
            } while (b >= 0x80);
            return result;
        }
    }
}

public abstract class Node
{
    public Container? Parent { get; set; }
}

public abstract class Container : Node
{
    public List<Node> Children { get; } = [];

    public void Insert(int index, Node child)
    {
        child.Parent = this;
        Children.Insert(index, child);
    }

    public void RemoveAt(int index)
    {
        Children[index].Parent = null;
        Children.RemoveAt(index);
    }
}

public sealed class ComponentNode(int id) : Container
{
    public int Id { get; } = id;
}

public sealed class ElementNode(string tag) : Container
{
    public string Tag { get; } = tag;
    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);
    /// <summary>Event name (click, change, input …) → the handler id the server gave it.</summary>
    public Dictionary<string, ulong> Events { get; } = new(StringComparer.Ordinal);

    public string? Attr(string name) => Attributes.GetValueOrDefault(name);
}

public sealed class TextNode(string text) : Node
{
    public string Text { get; set; } = text;
}

public sealed class MarkupNode(string markup) : Node
{
    public string Markup { get; } = markup;
}
