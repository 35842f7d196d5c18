using Fraud.Generator.Running;

return await GeneratorCommand.Create().Parse(args).InvokeAsync();
