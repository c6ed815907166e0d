using Forge.Shell.Commands;
using Xunit;

namespace Forge.Shell.Tests.Commands;

public class TextTableSpec
{
    [Fact]
    public void Columns_are_padded_like_kubectl_without_trailing_blanks()
    {
        var lines = TextTable.Render(["NAME", "STATE", "ACTIVE LEADER"],
            [["us-east-1-prod", "Priority-based", "cardano-bp-0"], ["us-west-2-prod", "Priority-based", ""]]).ToList();
        Assert.Equal(
        [
            "NAME             STATE            ACTIVE LEADER",
            "us-east-1-prod   Priority-based   cardano-bp-0",
            "us-west-2-prod   Priority-based",
        ], lines);
    }
}
