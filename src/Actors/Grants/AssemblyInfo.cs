using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Grants.Tests")]
