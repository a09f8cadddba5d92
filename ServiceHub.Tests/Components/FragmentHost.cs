using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace ServiceHub.Tests.Components;

/// <summary>Renders a render fragment (markup written without a component) so a test can compare it with a component's markup.</summary>
internal sealed class FragmentHost : ComponentBase
{
    [Parameter] public RenderFragment? Content { get; set; }
    protected override void BuildRenderTree(RenderTreeBuilder b) => b.AddContent(0, Content);
}
